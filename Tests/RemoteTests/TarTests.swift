import Foundation
import Testing
import Remote

@Suite("tar stream: what GNU tar extracts is what was meant")
struct TarTests {
    func extract(_ archive: Data) throws -> String {
        let directory = NSTemporaryDirectory() + "hardway-tar-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let archivePath = directory + ".tar"
        try archive.write(to: URL(fileURLWithPath: archivePath))
        defer { try? FileManager.default.removeItem(atPath: archivePath) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/tar")
        process.arguments = ["-x", "-p", "-f", archivePath, "-C", directory]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return directory
    }

    @Test("contents, modes (0600 keys, 0755 binaries), parents made, long paths split into prefix and name")
    func roundTrip() throws {
        let long = "/var/lib/" + String(repeating: "deep/", count: 25) + "file.pem"
        let binary = Data((0..<70_000).map { UInt8($0 % 251) })
        let files = [
            RemoteFile(path: "/etc/etcd/server-key.pem", mode: 0o600, contents: Data("secret\n".utf8)),
            RemoteFile(path: "/usr/local/bin/etcd", mode: 0o755, contents: binary),
            RemoteFile(path: "/etc/empty", mode: 0o644, contents: Data()),
            RemoteFile(path: long, mode: 0o644, contents: Data("deep\n".utf8)),
        ]
        let archive = try Tar.archive(files)
        #expect(archive.count % 512 == 0)
        let root = try extract(archive)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for file in files {
            let path = root + file.path
            #expect(FileManager.default.contents(atPath: path) == file.contents, "\(file.path)")
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == Int(file.mode), "\(file.path)")
        }
    }

    @Test("a path that cannot fit a ustar header is refused, not truncated")
    func tooLong() {
        let path = "/" + String(repeating: "x", count: 120) + "/" + String(repeating: "y", count: 120)
        #expect(throws: (any Error).self) { try Tar.archive([RemoteFile(path: path, mode: 0o644, contents: Data())]) }
    }

    @Test("shell quoting survives quotes, spaces and dollars through sh")
    func quoting() throws {
        let word = "it's $HOME and `date` \"quoted\" \\ back"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "printf %s " + shellQuote(word)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        #expect(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == word)
    }
}

import Foundation
import Testing
@testable import Remote
import Shell

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
        try Launch.locked { try process.run() }
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
            #expect(FileManager.default.contents(atPath: path) == (try file.contents()), "\(file.path)")
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
        try Launch.locked { try process.run() }
        process.waitUntilExit()
        #expect(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == word)
    }
}

@Suite("staged uploads: each file lands whole at its path, or the old one stays")
struct StagedUploadTests {
    func root() throws -> String {
        let directory = NSTemporaryDirectory() + "hardway-staged-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/etc/app", withIntermediateDirectories: true)
        return directory
    }

    func leftovers(_ root: String) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.contains(".hardway-") }
    }

    @Test("a whole stream replaces every file (mode kept) and leaves no temporary file")
    func whole() throws {
        let root = try root()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: root + "/etc/app/config"))
        let upload = StagedUpload([RemoteFile(path: root + "/etc/app/config", mode: 0o600, contents: Data("new\n".utf8)),
                                   RemoteFile(path: root + "/etc/app/key", mode: 0o600, contents: Data("key\n".utf8))])
        let result = try Exec.run("sh", ["-c", upload.script], data: try Tar.archive(upload.files))
        #expect(result.succeeded, "\(result)")
        #expect(FileManager.default.contents(atPath: root + "/etc/app/config") == Data("new\n".utf8))
        #expect(FileManager.default.contents(atPath: root + "/etc/app/key") == Data("key\n".utf8))
        let mode = try FileManager.default.attributesOfItem(atPath: root + "/etc/app/key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try leftovers(root).isEmpty)
    }

    @Test("a stream cut halfway leaves every final file as it was, and no temporary file")
    func cut() throws {
        let root = try root()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: root + "/etc/app/binary"))
        let big = Data((0..<300_000).map { UInt8($0 % 251) })
        let upload = StagedUpload([RemoteFile(path: root + "/etc/app/binary", mode: 0o755, contents: big)])
        let archive = try Tar.archive(upload.files)
        let result = try Exec.run("sh", ["-c", upload.script], data: archive.prefix(archive.count / 2))
        #expect(!result.succeeded)
        #expect(FileManager.default.contents(atPath: root + "/etc/app/binary") == Data("old\n".utf8), "no truncated file at the final path")
        #expect(try leftovers(root).isEmpty)
    }

    @Test("a file of this box streams through the archive as its bytes, and a file past 8 GiB gets a base-256 size")
    func localFileAndBigSize() throws {
        let path = NSTemporaryDirectory() + "hardway-local-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = Data((0..<1_500_000).map { UInt8($0 % 253) })
        try bytes.write(to: URL(fileURLWithPath: path))
        let streamed = try Tar.archive([RemoteFile(path: "/x", mode: 0o644, localFile: path)], modified: Date(timeIntervalSince1970: 0))
        let inMemory = try Tar.archive([RemoteFile(path: "/x", mode: 0o644, contents: bytes)], modified: Date(timeIntervalSince1970: 0))
        #expect(streamed == inMemory)
        let header = try Tar.header(for: RemoteFile(path: "/big", mode: 0o644, contents: Data()), size: 9 << 30, modified: Date(timeIntervalSince1970: 0))
        #expect(header[124] == 0x80 && header[124 + 4 ..< 124 + 12].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } == 9 << 30)
    }
}

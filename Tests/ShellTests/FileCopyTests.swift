import Foundation
import Testing
import Shell

@Suite("copying a file through close-on-exec descriptors")
struct FileCopyTests {
    @Test("a copy has the source's bytes and the mode asked for; an existing destination is an error and is left as it was")
    func copy() throws {
        let directory = NSTemporaryDirectory() + "hardway-copy-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bytes = Data((0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try bytes.write(to: URL(fileURLWithPath: "\(directory)/source"))
        try FileCopy.copy("\(directory)/source", to: "\(directory)/copy", mode: 0o755)
        #expect(FileManager.default.contents(atPath: "\(directory)/copy") == bytes)
        let mode = try FileManager.default.attributesOfItem(atPath: "\(directory)/copy")[.posixPermissions] as? Int
        #expect(mode == 0o755)

        try Data("keep".utf8).write(to: URL(fileURLWithPath: "\(directory)/kept"))
        #expect(throws: ShellError.self) { try FileCopy.copy("\(directory)/source", to: "\(directory)/kept", mode: 0o755) }
        #expect(FileManager.default.contents(atPath: "\(directory)/kept") == Data("keep".utf8))
    }
}

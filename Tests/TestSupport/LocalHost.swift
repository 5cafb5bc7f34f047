import Foundation
import Remote
import Shell

/// This box as a RemoteHost: scripts run with `sh -c`, files written where they say. For tests of
/// scripts hardway runs on its hosts, against the real programs installed here.
public struct LocalHost: RemoteHost {
    public let name: String

    public init(_ name: String = "localhost") { self.name = name }

    public func run(_ script: String, input: Data?, timeout: TimeInterval) throws -> ExecResult {
        try Exec.run("/bin/sh", ["-c", script], data: input, timeout: timeout)
    }

    public func upload(_ files: [RemoteFile]) throws {
        for file in files {
            try FileManager.default.createDirectory(atPath: (file.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try file.contents().write(to: URL(fileURLWithPath: file.path))
            chmod(file.path, mode_t(file.mode))
        }
    }

    public func download(_ path: String, to local: String) throws {
        try FileManager.default.copyItem(atPath: path, toPath: local)
    }
}

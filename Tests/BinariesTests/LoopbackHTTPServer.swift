import Foundation
import Shell

/// Python's http.server on 127.0.0.1, serving a scratch directory: the real HTTP server the
/// download tests fetch from. Each test starts its own and stops it.
final class LoopbackHTTPServer {
    let root: String
    private(set) var port = 0
    private var process = Process()

    init() throws {
        root = NSTemporaryDirectory() + "hardway-releases-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        // A port another test or program holds makes python exit at once: try another.
        for _ in 0..<5 {
            port = Int.random(in: 20_000...40_000)
            process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", root]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try Launch.locked { try process.run() }
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, process.isRunning {
                if (try? Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/")!)) != nil { return }
                usleep(100_000)
            }
            stopProcess()
        }
        throw CocoaError(.fileReadUnknown)
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func put(_ path: String, _ data: Data) throws {
        let full = root + "/" + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: full))
    }

    private func stopProcess() {
        // SIGKILL: a child started from a test thread may inherit a mask that blocks SIGTERM.
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func stop() {
        stopProcess()
        try? FileManager.default.removeItem(atPath: root)
    }
}

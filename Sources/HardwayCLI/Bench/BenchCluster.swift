import Foundation
import Shell

/// A cluster of a bench's own: its file in a temporary directory, and this hardway run on it step by
/// step, each step timed. `remove()` takes its machines down and the directory away.
struct BenchCluster {
    let scratch: String
    let file: String
    let dir: String
    let hardway = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]

    init(name: String, text: String) throws {
        scratch = NSTemporaryDirectory() + "hardway-bench-\(name)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        file = "\(scratch)/cluster.yaml"
        dir = "\(scratch)/bench"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
    }

    /// `hardway ARGUMENTS -f FILE --dir DIR`, which must succeed: its time and its output.
    @discardableResult
    func step(_ arguments: [String]) throws -> (seconds: Double, stdout: String) {
        let started = Date()
        let result = try Exec.run(hardway, arguments + ["-f", file, "--dir", dir])
        guard result.succeeded else { throw CLIError("bench: hardway \(arguments.joined(separator: " ")) failed: \(result.tail)") }
        return (Date().timeIntervalSince(started), result.stdout)
    }

    func remove() {
        _ = try? Exec.run(hardway, ["lab", "down", "-f", file, "--dir", dir])
        try? FileManager.default.removeItem(atPath: scratch)
    }
}

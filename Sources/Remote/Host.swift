import Foundation
import Shell

/// A machine hardway works on: it runs shell scripts as root there and puts files there. The one
/// real implementation is `OpenSSHHost`; lab machines and VMs are the same to it.
public protocol RemoteHost: Sendable {
    var name: String { get }
    /// Runs `script` with `sh` as root (through sudo when the login user is not root).
    func run(_ script: String, input: Data?) throws -> ExecResult
    /// Writes every file in one go, with its mode and owner.
    func upload(_ files: [RemoteFile]) throws
    /// Copies a file of the host to `local` byte for byte (an etcd snapshot), streamed, mode 0600.
    func download(_ path: String, to local: String) throws
}

extension RemoteHost {
    public func run(_ script: String) throws -> ExecResult { try run(script, input: nil) }

    /// Runs a script that must succeed; a failure names the host, the step and the last lines.
    @discardableResult
    public func check(_ script: String, step: String) throws -> ExecResult {
        let result = try run(script)
        guard result.succeeded else { throw RemoteError(host: name, step: step, result: result) }
        return result
    }

    /// The same, with `input` on the script's stdin.
    @discardableResult
    public func check(_ script: String, input: String, step: String) throws -> ExecResult {
        let result = try run(script, input: Data(input.utf8))
        guard result.succeeded else { throw RemoteError(host: name, step: step, result: result) }
        return result
    }
}

/// A step that failed on a host: a stable code, which host, which step, what the host said.
public struct RemoteError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable, Codable {
        /// ssh could not reach the host, or log in.
        case unreachable = "unreachable"
        /// The cluster's known_hosts has no key for the host.
        case hostKeyUnknown = "host-key-unknown"
        /// The host showed another key than the cluster's known_hosts holds.
        case hostKeyMismatch = "host-key-mismatch"
        /// A step ran on the host and failed.
        case stepFailed = "step-failed"
    }

    public var code: Code
    public var host: String
    public var step: String
    public var result: ExecResult
    public var fix: String?

    public init(_ code: Code = .stepFailed, host: String, step: String, result: ExecResult, fix: String? = nil) {
        self.code = code
        self.host = host
        self.step = step
        self.result = result
        self.fix = fix
    }

    public var description: String { "\(host): \(step) failed (exit \(result.status)): \(result.tail)" }
}

/// Quotes a word for sh: single quotes, with embedded single quotes closed and reopened.
public func shellQuote(_ word: String) -> String {
    "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

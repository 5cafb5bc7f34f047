import Foundation
import Shell

/// A machine hardway works on: it runs shell scripts as root there and puts files there. The one
/// real implementation is `OpenSSHHost`; lab machines and VMs are the same to it. Every call has a
/// time limit: a host that stops answering is an error naming it, never a hang.
public protocol RemoteHost: Sendable {
    var name: String { get }
    /// Runs `script` with `sh` as root (through sudo when the login user is not root), stopped after
    /// `timeout` seconds.
    func run(_ script: String, input: Data?, timeout: TimeInterval) throws -> ExecResult
    /// Writes every file in one go, with its mode and owner; each lands whole at its path or not
    /// at all.
    func upload(_ files: [RemoteFile]) throws
    /// Copies a file of the host to `local` byte for byte (an etcd snapshot), streamed, mode 0600.
    func download(_ path: String, to local: String) throws
}

/// How long a remote command may take unless its caller says otherwise.
public enum RemoteLimits {
    /// A command: a read, a restart, a kubectl call (which has its own `--request-timeout`).
    public static let command: TimeInterval = 120
}

extension RemoteHost {
    public func run(_ script: String, timeout: TimeInterval = RemoteLimits.command) throws -> ExecResult {
        try run(script, input: nil, timeout: timeout)
    }

    public func run(_ script: String, input: Data?) throws -> ExecResult {
        try run(script, input: input, timeout: RemoteLimits.command)
    }

    /// Runs a script that must succeed; a failure names the host, the step and the last lines.
    @discardableResult
    public func check(_ script: String, step: String, timeout: TimeInterval = RemoteLimits.command) throws -> ExecResult {
        let result = try run(script, input: nil, timeout: timeout)
        guard result.succeeded else { throw RemoteError(host: name, step: step, result: result) }
        return result
    }

    /// The same, with `input` on the script's stdin.
    @discardableResult
    public func check(_ script: String, input: String, step: String, timeout: TimeInterval = RemoteLimits.command) throws -> ExecResult {
        let result = try run(script, input: Data(input.utf8), timeout: timeout)
        guard result.succeeded else { throw RemoteError(host: name, step: step, result: result) }
        return result
    }
}

/// A step that failed on a host: a stable code, which host, which step, what the host said.
public struct RemoteError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable, Codable {
        /// ssh could not reach the host or log in; the cluster's known_hosts has no key for the
        /// host, or another one than the host showed.
        case unreachable = "unreachable", hostKeyUnknown = "host-key-unknown", hostKeyMismatch = "host-key-mismatch"
        /// A step ran on the host and failed, or did not finish within its time limit.
        case stepFailed = "step-failed", timedOut = "timed-out"
        /// The link broke while files were being sent.
        case linkCut = "link-cut"
        /// hardway refused to connect (its ssh control directory or socket is not its own).
        case refused = "refused"
    }

    public var code: Code
    public var host: String
    public var step: String
    public var result: ExecResult
    public var fix: String?

    public init(_ code: Code = .stepFailed, host: String, step: String, result: ExecResult, fix: String? = nil) {
        (self.code, self.host, self.step, self.result, self.fix) = (code, host, step, result, fix)
    }

    /// What went wrong, in a few words: the exit code and last lines, or the limit.
    public var reason: String {
        switch code {
        case .timedOut: return "did not finish in time (\(result.tail.isEmpty ? "no answer" : result.tail))"
        case .linkCut: return "the link broke while files were sent (exit \(result.status)\(result.tail.isEmpty ? "" : ": \(result.tail)"))"
        default: return "failed (exit \(result.status)): \(result.tail)"
        }
    }

    public var description: String { "\(host): \(step) \(reason)" }
}

/// A phase that cannot go on: a stable code, which phase and host, what it said, what to do.
public struct PhaseError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable, Codable {
        /// A host is not one hardway can set up (PID 1 is not systemd, a kernel module is
        /// missing), or a port a unit needs is held by another program.
        case unsuitableHost = "unsuitable-host", portTaken = "port-taken"
        /// A binary the phase needs is not in the binaries directory, or not the pinned version.
        case missingBinary = "missing-binary", wrongBinary = "wrong-binary"
        /// A gate did not see the health it waits for within its time.
        case gateTimedOut = "gate-timed-out"
        /// A change apply refuses before touching a host (several etcd members at once, a member's
        /// address, a pod CIDR moving under its pods).
        case refusedChange = "refused-change"
        /// A version change no upgrade may make (a skipped minor, a downgrade), or a cluster not
        /// healthy enough to start one.
        case upgradeRefused = "upgrade-refused"
        /// etcd would lose quorum or no member answers; etcd refused a membership command, or
        /// lists a member it should not.
        case etcdQuorum = "etcd-quorum", etcdMembership = "etcd-membership"
        /// What a host or the API server answered is not what the step needs.
        case unexpectedState = "unexpected-state"
        /// An image a pod needs cannot be had; encryption at rest is not what the file says.
        case imageUnavailable = "image-unavailable", notEncrypted = "not-encrypted"
        /// An etcd snapshot is not what it should be, or restoring it failed; the record of
        /// earlier applies cannot be used.
        case snapshot = "snapshot", ledger = "ledger"
    }

    public var code: Code
    public var phase: Phase
    public var host: String?
    public var message: String
    public var fix: String

    public init(_ code: Code, _ phase: Phase, host: String? = nil, _ message: String, fix: String) {
        self.code = code
        self.phase = phase
        self.host = host
        self.message = message
        self.fix = fix
    }

    public var description: String { "\(phase.rawValue)\(host.map { " on \($0)" } ?? ""): \(message); \(fix)" }
}

/// A drill that cannot start: a stable code, what is wrong, and what to do instead.
public struct DrillError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        /// The cluster has no host of the kind the drill takes away.
        case nothingToDrill = "nothing-to-drill"
        /// `--host` names no host of that kind.
        case unknownHost = "unknown-host"
        /// Taking the host away would take the cluster down (one controller, fewer than 3 etcd members).
        case wouldBreakCluster = "would-break-cluster"
        /// The cluster has no API endpoint to send requests through.
        case noEndpoint = "no-endpoint"
    }

    public var code: Code
    public var host: String?
    public var message: String
    public var fix: String

    public init(_ code: Code, host: String? = nil, _ message: String, fix: String) {
        self.code = code
        self.host = host
        self.message = message
        self.fix = fix
    }

    public var description: String { "\(host.map { "\($0): " } ?? "")\(message); \(fix)" }
}

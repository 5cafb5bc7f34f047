import Errors
/// A drill that cannot start: a stable code, what is wrong, and what to do instead.
public typealias DrillError = CodedError<DrillErrorCode>

/// What can go wrong in Drill, by stable name.
public enum DrillErrorCode: String, ErrorCode {
    /// The cluster has no host of the kind the drill takes away, or `--host` names none of them.
    case nothingToDrill = "nothing-to-drill", unknownHost = "unknown-host"
    /// Taking the host away would take the cluster down (one controller, fewer than 3 etcd members).
    case wouldBreakCluster = "would-break-cluster"
    /// The cluster has no API endpoint to send requests through.
    case noEndpoint = "no-endpoint"
}

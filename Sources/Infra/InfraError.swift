import Errors
/// The Infra module's error: a stable code, a specific lowercase message, and the next step. (What
/// AWS itself refuses arrives as an `AWSError`.)
public typealias InfraError = CodedError<InfraErrorCode>

/// What can go wrong in Infra, by stable name.
public enum InfraErrorCode: String, ErrorCode {
    /// `infra-state.json` is there but cannot be read.
    case unreadableState = "unreadable-state"
    /// The VPC or subnet found has another CIDR than the cluster file's; an instance another
    /// private address; the file no longer resolves with the addresses apply recorded.
    case cidrMismatch = "cidr-mismatch", addressMismatch = "address-mismatch", unresolvedCluster = "unresolved-cluster"
    /// The key pair exists, instances use it, and its private key is not where it was saved.
    case lostPrivateKey = "lost-private-key"
    /// No image of the owner matches the name pattern in the region.
    case noImage = "no-image"
    /// An instance stopped or terminated instead of running; instances not running (or not
    /// terminated) within the timeout.
    case instanceStopped = "instance-stopped", instanceTimeout = "instance-timeout"
    /// A load balancer or target group of the cluster's name belongs to someone else.
    case foreignResource = "foreign-resource"
    /// A create call answered without what it made.
    case incompleteAnswer = "incomplete-answer"
    /// The credentials may not read an instance's console; consoles showed no ssh host keys
    /// within the timeout.
    case consoleRefused = "console-refused", missingHostKeys = "missing-host-keys"
}

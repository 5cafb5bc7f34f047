import ClusterModel
import Foundation

/// What `infra apply` needs to pin the instances' host keys: the cluster file's spec, resolved again
/// with the new public addresses so each key is named exactly where `hardway apply` will connect (the
/// same resolver apply runs), and how long to wait for a console to show them.
public struct HostKeyPinning: Sendable {
    public var spec: ClusterSpec
    public var timeout: TimeInterval

    public init(spec: ClusterSpec, timeout: TimeInterval = 600) {
        self.spec = spec
        self.timeout = timeout
    }

    /// Between two reads of the consoles still waited for.
    static let pollInterval: TimeInterval = 5
}

/// What hardway pairs with one Kubernetes minor: the versions a cluster file gets when it names none
/// (etcd, containerd, runc, CNI plugins), the etcd minors the release runs on, the oldest containerd it
/// takes, and kube-proxy's modes. The table, with where each value came from, is `ReleasePairing+Table.swift`.
public struct ReleasePairing: Sendable, Equatable {
    /// `1.35`
    public var minor: String
    public var etcd: String
    /// The etcd minors (`3.6`) an `etcdVersion` may name for this release.
    public var etcdMinors: [String]
    public var containerd: String
    public var runc: String
    public var cniPlugins: String
    /// The oldest containerd this release's kubelet works with.
    public var containerdFloor: ReleaseVersion
    /// Why the floor is there, for the error that enforces it.
    public var containerdFloorReason: String
    /// kube-proxy's modes that work without extra settings (nftables only once its feature gate is on by default).
    public var proxyModes: [ProxyMode]
    /// From 1.35 kube-proxy logs that its ipvs mode is deprecated.
    public var ipvsDeprecated = false
    /// From 1.35 the kubelet's `failCgroupV1` defaults to true: it will not start on a cgroup v1 host.
    public var kubeletNeedsCgroupV2 = false

    /// The pairing of `v1.35.2`'s minor, or nil when hardway has no data for it.
    public static func forVersion(_ version: ReleaseVersion) -> ReleasePairing? {
        table.first { $0.minor == version.minorName }
    }

    /// The supported minors as a user reads them: `v1.20, v1.30, …`.
    public static var supportedList: String { table.map { "v\($0.minor)" }.joined(separator: ", ") }
}

extension Cluster {
    /// The pairing of the cluster's Kubernetes release (every resolved cluster has one).
    public var pairing: ReleasePairing? { ReleaseVersion(kubernetesVersion).flatMap(ReleasePairing.forVersion) }
}

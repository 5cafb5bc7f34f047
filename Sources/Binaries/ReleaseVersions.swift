/// The releases one binaries directory holds: what `binaries build` downloads (or checks a bundle
/// against). The cluster file pins them (`kubernetesVersion`, `etcdVersion`, `containerdVersion`,
/// `runcVersion`, `cniPluginsVersion`); each is kept as written and normalised to `v…` where a URL
/// or a comparison needs it.
public struct ReleaseVersions: Sendable, Equatable, Codable {
    public var kubernetes: String
    public var etcd: String
    public var containerd: String
    public var runc: String
    public var cniPlugins: String

    public init(kubernetes: String, etcd: String, containerd: String, runc: String, cniPlugins: String) {
        (self.kubernetes, self.etcd, self.containerd, self.runc, self.cniPlugins) = (kubernetes, etcd, containerd, runc, cniPlugins)
    }

    /// `v1.35.0` and `1.35.0` alike → `1.35.0`: upstream's file names carry some versions bare.
    static func bare(_ version: String) -> String { version.hasPrefix("v") ? String(version.dropFirst()) : version }
}

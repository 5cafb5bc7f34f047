import Binaries
import ClusterModel
import Render

extension ClusterDirectory {
    /// The run that fills the cluster's binaries directory (`binaries.dir`, else `<dir>/binaries`).
    func binariesBuild(for cluster: Cluster, progress: @escaping (String) -> Void = { Terminal.err($0) }) throws -> BinariesBuild {
        let release = try KubernetesRelease.forVersion(cluster.kubernetesVersion)
        return BinariesBuild(directory: binariesDirectory(for: cluster), kubernetesVersion: cluster.kubernetesVersion, etcdVersion: cluster.etcdVersion,
                      pauseImage: release.pauseImage, cache: hardwayCache, resolver: binaryResolver(for: cluster), progress: progress)
    }

    /// The releases `binaries build` downloads for the cluster.
    ///
    /// Interim: the cluster file's `containerdVersion`, `runcVersion` and `cniPluginsVersion` are
    /// being added (issue 22); until they are, the pairing below stands in for them. When they land,
    /// this becomes `ReleaseVersions(kubernetes: cluster.kubernetesVersion, etcd: cluster.etcdVersion,
    /// containerd: cluster.containerdVersion, runc: cluster.runcVersion, cniPlugins: cluster.cniPluginsVersion)`.
    /// Source: /work/research/r1/versions.md — v1.20 is Debian 12's containerd 1.6.20, runc 1.1.5,
    /// containernetworking-plugins 1.1.1; 1.33 on, containerd's RELEASES.md matrix (@301026e5) with
    /// the runc that containerd tag ships (`script/setup/runc-version`) and Kubernetes' CNI plugins
    /// pin (CHANGELOG-1.33/1.34/1.35; build/dependencies.yaml @008b3652 for 1.36); 1.30–1.32 take
    /// 1.33's (kubernetes-the-hard-way pins containerd 2.1 and CNI 1.6 for 1.32); 1.37 takes 1.36's.
    func releaseVersions(for cluster: Cluster) -> ReleaseVersions {
        let minor = cluster.kubernetesVersion.split(separator: ".").dropFirst().first.flatMap { Int($0) } ?? 0
        let (containerd, runc, cni): (String, String, String)
        switch minor {
        case ..<30: (containerd, runc, cni) = ("v1.6.20", "v1.1.5", "v1.1.1")
        case ..<34: (containerd, runc, cni) = ("v2.1.0", "v1.3.0", "v1.6.2")
        case 34: (containerd, runc, cni) = ("v2.1.3", "v1.3.0", "v1.7.1")
        case 35: (containerd, runc, cni) = ("v2.2.0", "v1.3.3", "v1.8.0")
        default: (containerd, runc, cni) = ("v2.3.0", "v1.4.2", "v1.9.1")
        }
        return ReleaseVersions(kubernetes: cluster.kubernetesVersion, etcd: cluster.etcdVersion, containerd: containerd, runc: runc, cniPlugins: cni)
    }
}

import Binaries
import ClusterModel
import Render

extension ClusterDirectory {
    /// The run that fills the cluster's binaries directory (`binaries.dir`, else `<dir>/binaries`).
    func binariesBuild(for cluster: Cluster, progress: @escaping (String) -> Void = { Terminal.err($0) }) throws -> BinariesBuild {
        let release = try KubernetesRelease.forVersion(cluster.kubernetesVersion)
        return BinariesBuild(directory: binariesDirectory(for: cluster), kubernetesVersion: cluster.kubernetesVersion, etcdVersion: cluster.etcdVersion,
                             containerdVersion: cluster.versions.containerd, runcVersion: cluster.versions.runc,
                             pauseImage: release.pauseImage, cache: hardwayCache, resolver: binaryResolver(for: cluster), progress: progress)
    }

    /// The releases `binaries build` downloads for the cluster: the cluster file's versions, or its
    /// release's pairing (`ReleasePairing`).
    func releaseVersions(for cluster: Cluster) -> ReleaseVersions {
        ReleaseVersions(kubernetes: cluster.kubernetesVersion, etcd: cluster.etcdVersion, containerd: cluster.versions.containerd,
                        runc: cluster.versions.runc, cniPlugins: cluster.versions.cniPlugins)
    }
}

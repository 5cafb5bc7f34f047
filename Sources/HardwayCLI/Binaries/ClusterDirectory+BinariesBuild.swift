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
}

import Foundation
import ClusterModel

extension ClusterDirectory {
    /// A path from the cluster file (ssh.identityFile, binaries.dir): `~` is the home directory, a
    /// relative path is relative to the cluster file's directory.
    func resolveRelativeToClusterFile(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~/") { return NSHomeDirectory() + path.dropFirst(1) }
        let base = (clusterFile as NSString).deletingLastPathComponent
        let directory = base.isEmpty ? FileManager.default.currentDirectoryPath
            : (base.hasPrefix("/") ? base : FileManager.default.currentDirectoryPath + "/" + base)
        return ((directory as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }

    /// `binaries.dir`, else `<dir>/binaries`.
    func binariesDirectory(for cluster: Cluster) -> String {
        cluster.binaries.dir.map(resolveRelativeToClusterFile) ?? "\(path)/binaries"
    }
}

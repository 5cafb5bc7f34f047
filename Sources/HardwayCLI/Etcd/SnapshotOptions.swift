import ArgumentParser
import ClusterModel
import Phases

/// What save and restore share: the cluster file and its directory, and the snapshot work on
/// the cluster's etcd, once apply got that far.
struct SnapshotOptions: ParsableArguments {
    @OptionGroup var cluster: ClusterFileOptions
    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    func load() throws -> (Cluster, ClusterDirectory, EtcdSnapshot) {
        let (resolved, directory) = try cluster.open(in: directoryOptions)
        guard try directory.applyRecord().applied(.etcd) else {
            throw CLIError("etcd is not applied on \(resolved.name)'s hosts yet: there is nothing to save or restore",
                           fix: "run `hardway apply -f \(cluster.file)` first")
        }
        return (resolved, directory, EtcdSnapshot(cluster: resolved, hosts: directory.hosts(for: resolved), progress: { Terminal.err($0) }))
    }
}

import ArgumentParser
import ClusterModel
import Lab

/// The options every lab command shares, and the Lab they describe.
struct LabOptions: ParsableArguments {
    @OptionGroup var cluster: ClusterFileOptions
    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    func lab(progress: @escaping @Sendable (String) -> Void = { Terminal.err($0) }) throws -> (Cluster, Lab, ClusterDirectory) {
        let (resolved, directory) = try cluster.open(in: directoryOptions)
        let paths = LabPaths(directory: directory.path, identityFile: resolved.ssh.identityFile.map { directory.resolveRelativeToClusterFile($0) })
        for host in resolved.hosts where host.sshAddress != host.address.description {
            Terminal.warning("\(host.name).sshAddress \(host.sshAddress) is not used in the lab: machines are reached at their address \(host.address)")
        }
        let lab = try labbing { try Lab(cluster: resolved, paths: paths, progress: progress) }
        return (resolved, lab, directory)
    }
}

import ArgumentParser
import Foundation
import Phases

/// `hardway etcd snapshot restore`: every member's data from one snapshot.
struct EtcdSnapshotRestore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "restore every etcd member from a snapshot; the cluster's objects go back to it",
        usage: UsageLine.wrapped("hardway etcd snapshot restore", "[--file <file>] [--dir <dir>] [--output <format>] <path>"),
        discussion: """
        The snapshot is copied to every member and must read as one (`etcdctl snapshot status`) \
        before anything stops; a file that does not is refused, by name, and nothing changes. Then \
        the control plane stops on every controller, etcd stops on every member, and each member gets \
        a new data directory made from the snapshot; the old one is moved to \
        /var/lib/etcd.before-restore-<time> and never deleted. etcd starts on every member (gate: \
        all healthy), then the control plane (gate: /livez on each); kubelet and kube-proxy restart \
        so they list what is there now. Everything written after the snapshot is gone.

        Examples:
          sudo hardway etcd snapshot restore -f lab.yaml lab/backups/lab-etcd-…Z.db
          sudo hardway etcd snapshot restore -f lab.yaml /backups/lab.db -o json
        """
    )

    @OptionGroup var options: SnapshotOptions

    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("the snapshot file (from `hardway etcd snapshot save`)", valueName: "path"))
    var path: String

    func run() async throws {
        let (cluster, directory, snapshot) = try options.load()
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw CLIError("cannot read the snapshot \(path)", fix: "give the path of a file `hardway etcd snapshot save` wrote")
        }
        Terminal.err("restoring etcd of \(cluster.name) (\(cluster.etcdMembers.count) members) from \(path): the control plane stops meanwhile")
        let report = try applying(directory) { try snapshot.restore(from: path) }
        try output.print(report) {
            Terminal.out("restored \(cluster.etcdMembers.count) members from \(report.file): revision \(report.status.revision), \(report.status.totalKey) keys, in \(String(format: "%.1f", report.seconds)) s")
            for (member, kept) in report.keptAside.sorted(by: { $0.key < $1.key }) { Terminal.out("  \(member): the data from before is in \(kept)") }
            Terminal.out("next: hardway check -f \(options.cluster.file)")
        }
    }
}

import ArgumentParser
import Foundation
import Phases
import Render

/// `hardway etcd snapshot restore`: every member's data from one snapshot.
struct EtcdSnapshotRestore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "restore every etcd member from a snapshot; the cluster's objects go back to it",
        usage: UsageLine.wrapped("hardway etcd snapshot restore", "[--file <file>] [--dir <dir>] [--output <format>] <path>"),
        discussion: """
        Every member must answer and have twice the snapshot's size free under /var/lib. The snapshot \
        is copied to every member and must read as one (`etcdctl snapshot status`), and every secret \
        in it must be stored under a key of the key ring (read exactly: the snapshot is served by a \
        throwaway etcd on one member's loopback), before anything stops; otherwise it is refused, \
        naming the file or the key and the retired file that keeps it, and nothing changes. Then \
        the control plane stops on every controller, etcd stops on every member, and each member gets \
        a new data directory made from the snapshot; the old one is moved to \
        /var/lib/etcd.before-restore-<time> and never deleted. etcd starts on every member (gate: \
        all healthy), then the control plane (gate: /livez on each); kubelet and kube-proxy restart \
        so they list what is there now (gate: every node Ready again). Everything written after the \
        snapshot is gone. A failure once \
        the members stopped puts every member back on its previous data and starts it; the error \
        says where the restored data was kept.

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
        // Which keys the API servers will read with, and where each retired one is kept.
        let keyFile = directory.encryptionKeys
        guard let ring = try keyFile.load() else {
            throw CLIError("there is no encryption key ring in \(keyFile.path)", fix: "restore the cluster directory's secrets/ from a backup first")
        }
        let keys = EtcdSnapshot.Keys(readable: Set(ring.keys.map(StoredKey.init)),
                                     retired: Dictionary(keyFile.retired().map { (StoredKey($0.key), $0.file) }) { $1 })
        let report = try applying(directory) { try snapshot.restore(from: path, keys: keys) }
        try output.print(report) {
            Terminal.out("restored \(cluster.etcdMembers.count) members from \(report.file): revision \(report.status.revision), \(report.status.totalKey) keys, in \(String(format: "%.1f", report.seconds)) s")
            for (member, kept) in report.keptAside.sorted(by: { $0.key < $1.key }) { Terminal.out("  \(member): the data from before is in \(kept)") }
            Terminal.out("next: hardway check -f \(options.cluster.file)")
        }
    }
}

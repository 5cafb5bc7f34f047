import ArgumentParser
import Foundation
import ClusterModel
import Phases

/// `hardway etcd …`: day-two work on the cluster's etcd.
struct EtcdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etcd",
        abstract: "etcd's backups and their restore",
        subcommands: [EtcdSnapshotCommand.self]
    )
}

struct EtcdSnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "save etcd to a file, or restore every member from one",
        subcommands: [EtcdSnapshotSave.self, EtcdSnapshotRestore.self]
    )
}

struct SnapshotOptions: ParsableArguments {
    @OptionGroup var cluster: ClusterFileOptions
    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    func load() throws -> (Cluster, ClusterDirectory, EtcdSnapshot) {
        let (resolved, directory) = try cluster.open(in: directoryOptions)
        guard ApplyRecord.load(directory.applyRecordPath).applied(.etcd) else {
            throw CLIError("etcd is not applied on \(resolved.name)'s hosts yet: there is nothing to save or restore",
                           fix: "run `hardway apply -f \(cluster.file)` first")
        }
        return (resolved, directory, EtcdSnapshot(cluster: resolved, hosts: directory.hosts(for: resolved), progress: { Terminal.err($0) }))
    }
}

struct EtcdSnapshotSave: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save",
        abstract: "save a snapshot of etcd from a healthy member, checked, to a file of this box",
        usage: UsageLine.wrapped("hardway etcd snapshot save", "[--file <file>] [--dir <dir>] [--output <path|format> ...]"),
        discussion: """
        The snapshot is taken on the first member that answers as healthy, over mutual TLS with its \
        own certificates, checked with `etcdctl snapshot status` (hash, revision, keys) there and, \
        when this box has etcdctl, here too, and copied here by sha256. The file is written 0600 \
        (it holds every secret of the cluster, encrypted as they are at rest) and never half: it \
        appears under its name only once checked.

        Examples:
          sudo hardway etcd snapshot save -f lab.yaml
          sudo hardway etcd snapshot save -f lab.yaml --output /backups/lab.db
          sudo hardway etcd snapshot save -f lab.yaml --output json | jq .file
          sudo hardway etcd snapshot save -f lab.yaml -o /backups/lab.db -o json
        """
    )

    @OptionGroup var options: SnapshotOptions

    @Option(name: [.customShort("o"), .long],
            help: ArgumentHelp("where to write it (default: <dir>/backups/<cluster>-etcd-<UTC time>.db); `text` or `json` set the report's format instead (repeatable: a path and a format)",
                               valueName: "path|format"))
    var output: [String] = []

    /// `--output` takes the file and the report's format both: text and json are formats, anything
    /// else is the path (a file named json is `./json`).
    static func split(_ values: [String]) throws -> (path: String?, format: OutputFormat) {
        var path: String?, format = OutputFormat.text
        for value in values {
            if let chosen = OutputFormat(rawValue: value) { format = chosen; continue }
            if let path { throw CLIError("--output names two files, \(path) and \(value)", fix: "give one path (and, if wanted, --output json)") }
            path = value
        }
        return (path, format)
    }

    func run() async throws {
        let (path, format) = try Self.split(output)
        let (cluster, directory, snapshot) = try options.load()
        let output = path ?? "\(directory.absolutePath)/backups/\(EtcdSnapshot.defaultName(cluster: cluster.name, now: Date()))"
        Terminal.err("saving etcd of \(cluster.name) (\(cluster.etcdMembers.count) members) to \(output)")
        let report = try applying(directory) { try snapshot.save(to: output) }
        switch format {
        case .json: try JSON.print(report)
        case .text:
            Terminal.out("saved \(report.file)")
            Terminal.out("  from \(report.member): revision \(report.status.revision), \(report.status.totalKey) keys, \(report.status.totalSize) bytes, hash \(report.status.hash)")
            Terminal.out("  sha256 \(report.sha256), mode 0600, in \(String(format: "%.1f", report.seconds)) s")
            Terminal.out("restore with: hardway etcd snapshot restore -f \(options.cluster.file) \(report.file)")
        }
    }
}

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

import ArgumentParser
import Foundation
import Phases

/// `hardway etcd snapshot save`: a snapshot from a healthy member, checked, to a file here.
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

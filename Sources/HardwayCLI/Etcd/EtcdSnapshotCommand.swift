import ArgumentParser

/// `hardway etcd snapshot …`: a checked backup of etcd, and the restore of every member from one.
struct EtcdSnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "save etcd to a file, or restore every member from one",
        subcommands: [EtcdSnapshotSave.self, EtcdSnapshotRestore.self]
    )
}

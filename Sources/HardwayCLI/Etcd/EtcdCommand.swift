import ArgumentParser

/// `hardway etcd …`: day-two work on the cluster's etcd.
struct EtcdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etcd",
        abstract: "etcd's backups and their restore",
        subcommands: [EtcdSnapshotCommand.self]
    )
}

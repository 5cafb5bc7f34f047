import ArgumentParser

/// `hardway kubeconfig …`: kubeconfigs for the workstation.
struct KubeconfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubeconfig",
        abstract: "kubeconfigs for the workstation",
        subcommands: [KubeconfigAdmin.self]
    )
}

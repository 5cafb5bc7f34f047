import ArgumentParser

/// `hardway encryption …`: the key ring that encrypts secrets at rest, and its rotation.
struct EncryptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encryption",
        abstract: "the keys that encrypt secrets at rest",
        subcommands: [EncryptionStatus.self, EncryptionRotate.self, EncryptionRewrite.self, EncryptionRestoreKey.self]
    )
}

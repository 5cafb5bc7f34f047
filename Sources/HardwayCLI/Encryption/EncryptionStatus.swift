import ArgumentParser

/// `hardway encryption status`: the keys and where a rotation stands.
struct EncryptionStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "show the encryption keys and where a rotation stands",
        usage: UsageLine.wrapped("hardway encryption status", "[--file <file>] [--dir <dir>] [--output <format>]"),
        discussion: """
        Examples:
          hardway encryption status -f cluster.yaml
          hardway encryption status -f cluster.yaml --output json
        """
    )

    @OptionGroup var options: EncryptionOptions

    func run() async throws {
        let (_, directory, ring) = try options.load()
        try options.report(ring, file: directory.encryptionKeys, next: options.nextStep(ring))
    }
}

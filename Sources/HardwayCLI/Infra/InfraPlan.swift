import ArgumentParser
import Infra

/// `hardway infra plan`: what infra apply would do on AWS; changes nothing.
struct InfraPlan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "list the AWS resources infra apply would create, keep, change or delete; changes nothing",
        usage: UsageLine.wrapped("hardway infra plan", "[--file <file>] [--dir <dir>] [--endpoint-url <url>] [--output <format>] [--skip-host-keys]"),
        discussion: """
        Reads what exists (by the IDs in <dir>/infra-state.json and the hardway:cluster tag) and compares it \
        with the cluster file. Each line: + create, = keep, ~ change, - delete. The host keys lines say which \
        instances' ssh host keys apply will read from their consoles into <dir>/ssh/known_hosts.

        Examples:
          hardway infra plan -f aws.yaml
          hardway infra plan -f aws.yaml --output json
        """
    )

    @OptionGroup var options: InfraOptions
    @OptionGroup var hostKeys: HostKeyOptions

    func run() async throws {
        let context = try options.context()
        let provisioner = try options.provisioner(context, dryRun: true, hostKeys: hostKeys.pinning(context, timeout: 0))
        let changes = try await infraing { try await provisioner.run() }
        if options.output.format == .json {
            return try options.printJSON(context, changes: changes, state: context.state, knownHosts: hostKeys.skipHostKeys ? nil : provisioner.knownHostsFile)
        }
        Terminal.out()
        let pending = changes.contains { $0.action != .keep }
        Terminal.out(InfraOptions.counts(changes) + (pending ? "; run `hardway infra apply -f \(options.cluster.file)`" : ": nothing to do"))
    }
}

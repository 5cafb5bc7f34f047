import ArgumentParser
import Infra

/// `hardway infra apply`: the cluster's resources on AWS, resumable, then the instances' host keys.
struct InfraApply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "create what the cluster needs on AWS, keep what exists; resumable",
        usage: UsageLine.wrapped("hardway infra apply", "[--file <file>] [--dir <dir>] [--endpoint-url <url>] [--output <format>] [--skip-host-keys] [--host-key-timeout <seconds>]"),
        discussion: """
        Creates in dependency order, tagging everything hardway:cluster=<name>, and writes each ID to \
        <dir>/infra-state.json as soon as it exists. Run it again after any failure or interruption: it finds \
        what exists and creates only the rest. The key pair's private key is saved (0600) at ssh.identityFile; \
        an existing key there is imported instead. Afterwards api.endpoint: auto is the NLB's DNS name and \
        hosts without sshAddress are reached at their public address.

        Last, it waits for each new instance's ssh host keys, which cloud-init prints on its console at first \
        boot, reads them through the EC2 API (GetConsoleOutput) and writes them to <dir>/ssh/known_hosts under \
        the address hardway apply connects to (sshAddress, else the public address), replacing older lines for \
        it. hardway apply checks that file strictly, so the first ssh needs no manual step. An instance whose \
        keys do not appear within --host-key-timeout is named, with the fix; a host that already has keys in \
        that file is not waited for.

        Examples:
          hardway infra apply -f aws.yaml
          hardway infra apply -f aws.yaml --output json
          hardway infra apply -f aws.yaml --host-key-timeout 1200
        """
    )

    @OptionGroup var options: InfraOptions
    @OptionGroup var hostKeys: HostKeyOptions

    @Option(help: ArgumentHelp("seconds to wait for the instances' ssh host keys in their consoles", valueName: "seconds"))
    var hostKeyTimeout: Int = 600

    func validate() throws {
        guard hostKeyTimeout >= 0 else {
            throw ValidationError("--host-key-timeout is seconds to wait, 0 or more, like --host-key-timeout 600")
        }
    }

    func run() async throws {
        let context = try options.context()
        let provisioner = try options.provisioner(context, dryRun: false, hostKeys: hostKeys.pinning(context, timeout: hostKeyTimeout))
        let knownHosts = hostKeys.skipHostKeys ? nil : provisioner.knownHostsFile
        let changes: [InfraChange]
        do {
            changes = try await infraing { try await provisioner.run() }
        } catch let error as CLIError where options.output.format == .json {
            // A reader of the json learns what was made and why it stopped; stderr and the status say so too.
            try options.printJSON(context, changes: provisioner.changes, state: provisioner.state, knownHosts: knownHosts, error: error)
            throw error
        }
        let state = provisioner.state
        if options.output.format == .json { return try options.printJSON(context, changes: changes, state: state, knownHosts: knownHosts) }
        Terminal.out()
        var table = TextTable(["HOST", "PRIVATE", "PUBLIC", "INSTANCE"])
        for instance in context.design.instances {
            table.add([instance.host, instance.privateAddress, state.publicAddresses[instance.host] ?? "-", state.resources["instance/\(instance.host)"] ?? "-"])
        }
        Terminal.out(table.render())
        if let dns = state.loadBalancerDNSName { Terminal.out("API load balancer: \(dns):\(context.cluster.api.port)") }
        Terminal.out()
        let made = changes.filter { $0.action != .keep }.count
        Terminal.out(made == 0 ? "nothing to do: everything exists (\(InfraOptions.counts(changes)))" : InfraOptions.counts(changes).replacingOccurrences(of: "to create", with: "created")
            .replacingOccurrences(of: "to change", with: "changed").replacingOccurrences(of: "to delete", with: "deleted"))
        Terminal.out("state: \(InfraState.path(directory: context.directory.path))")
        if let knownHosts { Terminal.out("ssh host keys: \(knownHosts) (hardway apply checks them strictly)") }
        Terminal.out("next: `hardway pki issue -f \(options.cluster.file)` (the API server certificate names the load balancer), then `hardway apply -f \(options.cluster.file)`")
    }
}

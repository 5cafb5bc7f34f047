import ArgumentParser
import AWS
import ClusterModel
import Foundation
import Infra

/// `hardway infra`: the cluster's AWS side, from the cluster file's `infra:` section.
struct InfraCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infra",
        abstract: "create, show or delete the cluster's machines and network on AWS (EC2 and an NLB)",
        discussion: """
        What tutorial 001 does with a hundred aws CLI commands: a VPC with DNS on, DHCP options, a subnet \
        (network.nodeCIDR), an internet gateway and route table, a security group, a key pair, a network load \
        balancer for the API, an instance per host at its address, and a route per worker for its pod CIDR; \
        then each instance's ssh host keys, read from its console, in <dir>/ssh/known_hosts. \
        Every resource is tagged hardway:cluster=<name>; every ID goes to <dir>/infra-state.json the moment it \
        exists, so an interrupted apply resumes without duplicates.

        Credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or a profile of \
        ~/.aws/credentials (AWS_PROFILE). Region: infra.region, else AWS_REGION.

        Examples:
          hardway infra plan -f aws.yaml
          hardway infra apply -f aws.yaml
          hardway infra destroy -f aws.yaml
          hardway infra apply -f aws.yaml --endpoint-url http://127.0.0.1:5000
        """,
        subcommands: [InfraPlan.self, InfraApply.self, InfraDestroy.self]
    )
}

/// What the infra commands share: the cluster file, its directory, the endpoint and the output.
struct InfraOptions: ParsableArguments {
    @OptionGroup var cluster: ClusterFileOptions
    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    @Option(help: ArgumentHelp("send every AWS call to this URL (an emulator, a proxy or a private endpoint)", valueName: "url"))
    var endpointURL: String?

    @OptionGroup var output: OutputOptions

    struct Context {
        var cluster: Cluster
        /// The file as written: infra apply resolves it again with the new public addresses.
        var spec: ClusterSpec
        var directory: ClusterDirectory
        var design: InfraDesign
        var client: AWSQueryClient
        var state: InfraState?
    }

    func context(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Context {
        let (resolved, directory) = try cluster.open(in: directoryOptions, printWarnings: output.format == .text)
        let environmentRegion = [environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"]].compactMap { $0 }.first { !$0.isEmpty }
        if let fileRegion = resolved.infra?.region, let environmentRegion, environmentRegion != fileRegion, output.format == .text {
            Terminal.warning("AWS_REGION is \(environmentRegion) but infra.region says \(fileRegion): the cluster file wins")
        }
        let design: InfraDesign
        do {
            design = try InfraDesign.make(for: resolved, environmentRegion: environmentRegion)
        } catch let problem as InfraDesign.Problem {
            throw CLIError("\(cluster.file): \(problem.field): \(problem.message)", fix: problem.fix)
        }
        let credentials = try infraing { try CredentialChain.resolve(environment: environment) }
        let client = AWSQueryClient(credentials: credentials, endpoints: AWSEndpoints(region: design.region, override: endpointURL))
        let state = try infraing { try InfraState.load(directory: directory.path) }
        if let state, state.cluster != resolved.name {
            throw CLIError("\(InfraState.path(directory: directory.path)) belongs to the cluster \(state.cluster), not \(resolved.name)",
                           fix: "pass the right --dir, or move that file away")
        }
        return Context(cluster: resolved, spec: try cluster.parse().spec, directory: directory, design: design, client: client, state: state)
    }

    /// ssh.identityFile, absolute: where apply saves the key pair's private key.
    func identityFile(_ context: Context) throws -> String {
        guard let file = context.cluster.ssh.identityFile else {
            throw CLIError("\(cluster.file): ssh.identityFile is not set, and infra apply saves the key pair's private key there",
                           fix: "set ssh.identityFile, like ssh/\(context.cluster.name).id_rsa (an existing key there is imported instead)")
        }
        return context.directory.resolveRelativeToClusterFile(file)
    }

    /// A line per change as it happens (text), nothing (json: the whole list is printed at the end).
    var reporter: @Sendable (InfraChange) -> Void {
        guard output.format == .text else { return { _ in } }
        return { change in Terminal.out(InfraOptions.line(change)) }
    }

    static func line(_ change: InfraChange) -> String {
        let mark: String
        switch change.action {
        case .create: mark = "+"
        case .keep: mark = "="
        case .change: mark = "~"
        case .delete: mark = "-"
        }
        var line = "\(mark) \(change.action.rawValue) \(change.kind) \(change.name)"
        if let id = change.id { line += " [\(id)]" }
        if !change.detail.isEmpty { line += ": \(change.detail)" }
        return line
    }

    /// Plan and apply: the one walk, dry or not; `hostKeys` nil leaves known_hosts alone.
    func provisioner(_ context: Context, dryRun: Bool, hostKeys: HostKeyPinning?) throws -> InfraProvisioner {
        let provisioner = InfraProvisioner(design: context.design, client: context.client, directory: context.directory.path, state: context.state,
                                           identityFile: try identityFile(context), dryRun: dryRun, report: reporter)
        provisioner.progress = Self.progress
        provisioner.hostKeys = hostKeys
        return provisioner
    }

    /// A rewriting line on a terminal while waiting; nothing in logs.
    static let progress: @Sendable (String?) -> Void = { text in
        if let text { Terminal.progress(text) } else { Terminal.progress("") }
    }

    /// `--output json`: the changes, and what the state then says; for a run that failed, why.
    func printJSON(_ context: Context, changes: [InfraChange], state: InfraState?, knownHosts: String? = nil, error: CLIError? = nil) throws {
        try JSON.print(InfraReport(cluster: context.cluster.name, region: context.design.region, changes: changes,
                                   loadBalancerDNSName: state?.loadBalancerDNSName, publicAddresses: state?.publicAddresses ?? [:],
                                   state: InfraState.path(directory: context.directory.path), knownHosts: knownHosts,
                                   error: error.map { InfraReport.Failure(message: $0.message, fix: $0.fix) }))
    }

    static func counts(_ changes: [InfraChange]) -> String {
        let count = { (action: InfraChange.Action) in changes.filter { $0.action == action }.count }
        return "\(count(.create)) to create, \(count(.change)) to change, \(count(.delete)) to delete, \(count(.keep)) kept"
    }
}

/// What `--output json` prints for plan, apply and destroy.
struct InfraReport: Encodable {
    var cluster: String
    var region: String
    var changes: [InfraChange]
    var loadBalancerDNSName: String?
    var publicAddresses: [String: String]
    var state: String
    /// Where apply pins the instances' host keys (plan and apply, unless --skip-host-keys).
    var knownHosts: String?
    /// Why apply stopped, when it did; the exit status is 1 then.
    var error: Failure?

    struct Failure: Encodable {
        var message: String
        var fix: String?
    }
}

/// Plan and apply: whether the instances' ssh host keys are read from their consoles.
struct HostKeyOptions: ParsableArguments {
    @Flag(help: ArgumentHelp("leave <dir>/ssh/known_hosts alone: for images that print no host keys (no cloud-init) or keys you manage yourself (an @cert-authority line)"))
    var skipHostKeys = false

    func pinning(_ context: InfraOptions.Context, timeout: Int) -> HostKeyPinning? {
        skipHostKeys ? nil : HostKeyPinning(spec: context.spec, timeout: TimeInterval(timeout))
    }
}

/// Runs infra work, turning its errors into the CLI's.
func infraing<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch { throw cliError(error) }
}

func infraing<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw cliError(error) }
}

private func cliError(_ error: any Error) -> any Error {
    switch error {
    case let error as AWSError: return CLIError(error.description, fix: error.fix)
    case let error as InfraError: return CLIError(error.message, fix: error.fix)
    default: return error
    }
}

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

struct InfraDestroy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy",
        abstract: "delete everything the cluster has on AWS, in reverse order; waits for instances to terminate",
        usage: UsageLine.wrapped("hardway infra destroy", "[--file <file>] [--dir <dir>] [--endpoint-url <url>] [--output <format>]"),
        discussion: """
        Finds resources by <dir>/infra-state.json and by the hardway:cluster tag, so it works without the \
        state file too. What is already gone is skipped; run it again if it stops half-way. The private key \
        infra apply saved for the key pair is removed with the pair; a key you brought is left alone.

        Examples:
          hardway infra destroy -f aws.yaml
          hardway infra destroy -f aws.yaml --output json
        """
    )

    @OptionGroup var options: InfraOptions

    func run() async throws {
        let context = try options.context()
        let destroyer = InfraDestroyer(design: context.design, client: context.client, directory: context.directory.path, state: context.state,
                                       report: options.reporter)
        destroyer.progress = InfraOptions.progress
        let changes = try await infraing { try await destroyer.run() }
        if options.output.format == .json { return try options.printJSON(context, changes: changes, state: nil) }
        Terminal.out()
        let deleted = changes.filter { $0.action == .delete }.count
        let tagsLeft = changes.contains { $0.kind == "instance tags" }
        Terminal.out(changes.isEmpty ? "nothing to delete: no resource is tagged hardway:cluster=\(context.cluster.name) in \(context.design.region)"
                     : tagsLeft ? "deleted \(deleted) resources; only the terminated instances still carry the cluster's tag, until AWS drops them"
                                : "deleted \(deleted) resources; nothing tagged hardway:cluster=\(context.cluster.name) is left")
    }
}

import ArgumentParser
import AWS
import ClusterModel
import Foundation
import Infra

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

import AWS
import Foundation

/// `infra plan` and `infra apply`: one walk over the design in dependency order. Each resource is
/// looked up (by the ID in the state, else by the cluster's tags or its name) and kept, or created
/// and its ID saved at once; attributes that differ are set. With `dryRun` nothing is created or
/// changed and the walk reports what would be: `act` alone decides which.
public final class InfraProvisioner: InfraSession {
    public let dryRun: Bool
    /// Where the key pair's private key goes (ssh.identityFile, made absolute).
    public let identityFile: String
    /// How long to wait for instances to run.
    public var instanceTimeout: TimeInterval = 600
    /// How to pin the instances' host keys into `<dir>/ssh/known_hosts`; nil leaves that file alone.
    public var hostKeys: HostKeyPinning?

    public init(design: InfraDesign, client: AWSQueryClient, directory: String, state: InfraState?, identityFile: String,
                dryRun: Bool, report: @escaping @Sendable (InfraChange) -> Void = { _ in }) {
        self.dryRun = dryRun
        self.identityFile = identityFile
        super.init(design: design, client: client, directory: directory, state: state, report: report)
    }

    /// Runs the walk; returns every change (keeps included).
    @discardableResult
    public func run() async throws -> [InfraChange] {
        let vpc = try await ensureVPC()
        try await ensureDHCPOptions(vpc: vpc)
        let subnet = try await ensureSubnet(vpc: vpc)
        let gateway = try await ensureGateway(vpc: vpc)
        let routeTable = try await ensureRouteTable(vpc: vpc, subnet: subnet, gateway: gateway)
        let group = try await ensureSecurityGroup(vpc: vpc)
        try await ensureKeyPair()
        var instances = try await ensureInstances(subnet: subnet, group: group)
        try await removeStaleInstances()
        instances = try await act { try await waitForInstances(instances) } ?? instances
        try await ensurePodRoutes(routeTable: routeTable, instances: instances)
        try await ensureLoadBalancer(vpc: vpc, subnet: subnet)
        // Last: every AWS resource exists even when a console never shows the keys.
        try await pinHostKeys(instances)
        return changes
    }

    // MARK: - Plan or apply

    /// The one place that decides whether this run changes anything, AWS or the state file (as
    /// k0sctl's `Wet`): a plan notes `planned`, what an apply would do, and skips `body`; an apply
    /// runs `body`, which notes what it did, with the IDs it made. Nil in a plan.
    @discardableResult
    func act<T>(_ planned: InfraChange..., body: () async throws -> T) async throws -> T? {
        guard !dryRun else {
            planned.forEach(note)
            return nil
        }
        return try await body()
    }

    /// `act` for a change that builds on what an earlier step made (the VPC a subnet goes in): only a
    /// plan can lack it, and then the change is planned, not made.
    @discardableResult
    func act<Input, T>(_ planned: InfraChange, with input: Input?, body: (Input) async throws -> T) async throws -> T? {
        guard let input else {
            note(planned)
            return nil
        }
        return try await act(planned) { try await body(input) }
    }

    /// An attribute or association set on what exists: the same line in a plan and an apply, noted
    /// once it is made.
    func change(_ kind: String, _ name: String, id: String?, action: InfraChange.Action = .change, detail: String,
                _ body: () async throws -> Void) async throws {
        let line = InfraChange(action, kind, name, id: id, detail: detail)
        try await act(line) {
            try await body()
            note(line)
        }
    }

    /// Saves an ID found by tags, so the next run finds it directly.
    func adopt(_ kind: Kind, _ id: String) async throws { try await adopt(key: kind.key, id) }

    func adopt(key: String, _ id: String) async throws {
        guard state.resources[key] != id else { return }
        try await act { try record(key, id) }
    }
}

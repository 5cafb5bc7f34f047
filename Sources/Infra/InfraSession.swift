import AWS
import Foundation
import PKI
import Remote

/// What apply, plan and destroy share: the design, the client, the state (saved after every change)
/// and the Query parameters for tags and filters.
public class InfraSession {
    public let design: InfraDesign
    let client: AWSQueryClient
    let directory: String
    public internal(set) var state: InfraState
    public internal(set) var changes: [InfraChange] = []
    let report: @Sendable (InfraChange) -> Void
    /// Waits say what they wait for (`waiting for 6 instances to run (14 s)`); nil when done.
    public var progress: @Sendable (String?) -> Void = { _ in }

    init(design: InfraDesign, client: AWSQueryClient, directory: String, state: InfraState?, report: @escaping @Sendable (InfraChange) -> Void) {
        self.design = design
        self.client = client
        self.directory = directory
        self.state = state ?? InfraState(cluster: design.cluster, region: design.region)
        self.report = report
    }

    // MARK: - Calls

    @discardableResult
    func ec2(_ action: String, _ parameters: [(String, String)] = []) async throws -> XMLNode {
        try await client.call(.ec2, action, parameters)
    }

    @discardableResult
    func elb(_ action: String, _ parameters: [(String, String)] = []) async throws -> XMLNode {
        try await client.call(.elbv2, action, parameters)
    }

    /// The answer, or nil when the service says the thing does not exist.
    func orNil(_ body: () async throws -> XMLNode) async throws -> XMLNode? {
        do {
            return try await body()
        } catch let error as AWSError where error.isNotFound {
            return nil
        }
    }

    /// Runs a delete, treating "already gone" as done.
    func tolerateMissing(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as AWSError where error.isNotFound {
            return
        }
    }

    /// The instance's console output, decoded (GetConsoleOutput answers base64); empty while EC2 has
    /// none. `latest`: the serial console as it is now rather than EC2's buffered copy.
    func consoleOutput(_ instance: String, latest: Bool) async throws -> String {
        var parameters = [("InstanceId", instance)]
        if latest { parameters.append(("Latest", "true")) }
        let answer = try await ec2("GetConsoleOutput", parameters)
        guard let output = answer.string("output"), let data = Data(base64Encoded: output, options: .ignoreUnknownCharacters) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: - known_hosts

    /// `<dir>/ssh/known_hosts`: the file `hardway apply` (and the lab) checks host keys against strictly.
    public var knownHostsFile: String { "\(directory)/ssh/known_hosts" }

    func readKnownHosts() -> String {
        (try? String(contentsOfFile: knownHostsFile, encoding: .utf8)) ?? ""
    }

    /// Atomically (a whole old file or a whole new one, whatever stops the run), 0644 like the lab's
    /// and ssh's own: it holds public keys only, and what protects it is that nobody else may write
    /// it, not that nobody may read it. A missing ssh directory is made 0700.
    func writeKnownHosts(_ text: String) throws {
        let directory = (knownHostsFile as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: directory) { try AtomicFile.makeDirectory(directory, mode: 0o700) }
        try AtomicFile.write(text, to: knownHostsFile, mode: 0o644)
    }

    /// Takes a host's pinned keys out of known_hosts and the state: its instance is going, and its
    /// address goes back to AWS for someone else's machine.
    func forgetHostKeys(of host: String) throws {
        guard let pinned = state.hostKeys?[host] else { return }
        let existing = readKnownHosts()
        if !existing.isEmpty {
            try writeKnownHosts(KnownHosts.merged(existing, removing: [KnownHosts.host(of: Substring(pinned.name))], adding: []))
        }
        state.hostKeys?[host] = nil
        try state.save(directory: directory)
    }

    func note(_ change: InfraChange) {
        changes.append(change)
        report(change)
    }

    func record(_ key: String, _ id: String?) throws {
        state.resources[key] = id
        state.updated = ISO8601DateFormatter().string(from: Date())
        try state.save(directory: directory)
    }

    // MARK: - Parameters

    /// `TagSpecification.1.ResourceType=vpc`, `TagSpecification.1.Tag.N.Key/Value`.
    func tagSpecification(_ resourceType: String, role: String, name: String? = nil, host: String? = nil) -> [(String, String)] {
        var parameters = [("TagSpecification.1.ResourceType", resourceType)]
        for (index, tag) in design.tags(role: role, name: name, host: host).enumerated() {
            parameters.append(("TagSpecification.1.Tag.\(index + 1).Key", tag.0))
            parameters.append(("TagSpecification.1.Tag.\(index + 1).Value", tag.1))
        }
        return parameters
    }

    /// `Tag.N.Key/Value` for CreateTags, or ELBv2's `Tags.member.N.Key/Value`.
    func tagParameters(prefix: String, role: String, name: String? = nil) -> [(String, String)] {
        design.tags(role: role, name: name).enumerated().flatMap { index, tag in
            [("\(prefix).\(index + 1).Key", tag.0), ("\(prefix).\(index + 1).Value", tag.1)]
        }
    }

    /// `Filter.N.Name` and `Filter.N.Value.M`.
    static func filters(_ filters: [(String, [String])]) -> [(String, String)] {
        filters.enumerated().flatMap { index, filter in
            [("Filter.\(index + 1).Name", filter.0)] + filter.1.enumerated().map { ("Filter.\(index + 1).Value.\($0.offset + 1)", $0.element) }
        }
    }

    func clusterFilters(role: String? = nil, extra: [(String, [String])] = []) -> [(String, String)] {
        var list: [(String, [String])] = [("tag:\(InfraDesign.clusterTag)", [design.cluster])]
        if let role { list.append(("tag:\(InfraDesign.roleTag)", [role])) }
        return Self.filters(list + extra)
    }

    // MARK: - Finding EC2 resources

    /// How to describe one kind of EC2 resource.
    struct Kind {
        var name: String
        var key: String
        var describe: String
        var idParameter: String
        var list: String
        var idField: String

        static let vpc = Kind(name: "vpc", key: "vpc", describe: "DescribeVpcs", idParameter: "VpcId", list: "vpcSet", idField: "vpcId")
        static let dhcp = Kind(name: "dhcp options", key: "dhcpOptions", describe: "DescribeDhcpOptions", idParameter: "DhcpOptionsId", list: "dhcpOptionsSet", idField: "dhcpOptionsId")
        static let subnet = Kind(name: "subnet", key: "subnet", describe: "DescribeSubnets", idParameter: "SubnetId", list: "subnetSet", idField: "subnetId")
        static let gateway = Kind(name: "internet gateway", key: "internetGateway", describe: "DescribeInternetGateways", idParameter: "InternetGatewayId", list: "internetGatewaySet", idField: "internetGatewayId")
        static let routeTable = Kind(name: "route table", key: "routeTable", describe: "DescribeRouteTables", idParameter: "RouteTableId", list: "routeTableSet", idField: "routeTableId")
        static let securityGroup = Kind(name: "security group", key: "securityGroup", describe: "DescribeSecurityGroups", idParameter: "GroupId", list: "securityGroupInfo", idField: "groupId")
    }

    /// The resource by the ID in the state, else by the cluster's tags (and `extra` filters); nil
    /// when neither finds it.
    func find(_ kind: Kind, extra: [(String, [String])] = []) async throws -> XMLNode? {
        if let id = state.resources[kind.key],
           let found = try await orNil({ try await ec2(kind.describe, [("\(kind.idParameter).1", id)]) })?.list(kind.list).first {
            return found
        }
        return try await ec2(kind.describe, clusterFilters(role: kind.key, extra: extra)).list(kind.list).first
    }

    /// Every tagged instance of the cluster that is not terminated (or terminating).
    func liveInstances() async throws -> [XMLNode] {
        let answer = try await ec2("DescribeInstances", clusterFilters(extra: [("instance-state-name", ["pending", "running", "stopping", "stopped"])]))
        return answer.all("instancesSet").flatMap { $0.children.filter { $0.name == "item" } }
    }

    // MARK: - Load balancers

    func findLoadBalancer(named name: String) async throws -> XMLNode? {
        try await orNil { try await elb("DescribeLoadBalancers", [("Names.member.1", name)]) }.flatMap { Self.members($0, "LoadBalancers").first }
    }

    func findTargetGroup(named name: String) async throws -> XMLNode? {
        try await orNil { try await elb("DescribeTargetGroups", [("Names.member.1", name)]) }.flatMap { Self.members($0, "TargetGroups").first }
    }

    /// The ELBv2 resource's tags.
    func elbTags(_ arn: String) async throws -> [String: String] {
        let answer = try await elb("DescribeTags", [("ResourceArns.member.1", arn)])
        return Self.members(answer, "TagDescriptions").first?.tags ?? [:]
    }

    /// An ELBv2 list's members, wherever the Result element puts them.
    static func members(_ root: XMLNode, _ list: String) -> [XMLNode] {
        root.all(list).first?.children.filter { $0.name == "member" } ?? []
    }
}

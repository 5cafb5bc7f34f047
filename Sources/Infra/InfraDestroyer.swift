import AWS
import Foundation

/// `infra destroy`: everything the cluster has on AWS, in reverse order of creation, found by the
/// state's IDs and by the cluster's tags (so a lost state file still finds it all). What is already
/// gone is skipped; instances are waited for until they are terminated.
public final class InfraDestroyer: InfraSession {
    public var instanceTimeout: TimeInterval = 600
    /// How long to keep trying a delete that AWS refuses while something still depends on it (an
    /// NLB's network interfaces leave the subnet a while after the NLB is gone).
    public var dependencyTimeout: TimeInterval = 300

    public override init(design: InfraDesign, client: AWSQueryClient, directory: String, state: InfraState?,
                report: @escaping @Sendable (InfraChange) -> Void = { _ in }) {
        super.init(design: design, client: client, directory: directory, state: state, report: report)
    }

    @discardableResult
    public func run() async throws -> [InfraChange] {
        try await deleteLoadBalancer()
        try await terminateInstances()
        try await deleteKeyPair()

        let vpcs = try await ids(.vpc)
        for id in try await ids(.routeTable) {
            let table = try await orNil { try await ec2("DescribeRouteTables", [("RouteTableId.1", id)]) }?.list("routeTableSet").first
            for association in table?.list("associationSet") ?? [] where association.string("main") != "true" {
                if let associationID = association.string("routeTableAssociationId") {
                    try await tolerateMissing { try await ec2("DisassociateRouteTable", [("AssociationId", associationID)]) }
                }
            }
            try await deleting("route table", id, key: "routeTable") { try await self.ec2("DeleteRouteTable", [("RouteTableId", id)]) }
        }
        for id in try await ids(.gateway) {
            let gateway = try await orNil { try await ec2("DescribeInternetGateways", [("InternetGatewayId.1", id)]) }?.list("internetGatewaySet").first
            let vpcs = gateway?.list("attachmentSet").compactMap { $0.string("vpcId") } ?? []
            // Detaching waits, like the deletes, while a deleted NLB still holds public addresses in the VPC.
            try await deleting("internet gateway", id, key: "internetGateway") {
                for vpc in vpcs {
                    try await self.tolerateMissing { try await self.ec2("DetachInternetGateway", [("InternetGatewayId", id), ("VpcId", vpc)]) }
                }
                try await self.ec2("DeleteInternetGateway", [("InternetGatewayId", id)])
            }
        }
        for id in try await ids(.securityGroup) {
            try await deleting("security group", id, key: "securityGroup") { try await self.ec2("DeleteSecurityGroup", [("GroupId", id)]) }
        }
        for id in try await ids(.subnet) {
            try await deleting("subnet", id, key: "subnet") { try await self.ec2("DeleteSubnet", [("SubnetId", id)]) }
        }
        for id in vpcs {
            try await deleting("vpc", id, key: "vpc") { try await self.ec2("DeleteVpc", [("VpcId", id)]) }
        }
        for id in try await ids(.dhcp) {
            try await deleting("dhcp options", id, key: "dhcpOptions") { try await self.ec2("DeleteDhcpOptions", [("DhcpOptionsId", id)]) }
        }
        InfraState.remove(directory: directory)
        return changes
    }

    /// The IDs of one kind: the state's, if it still exists, and every one tagged with the cluster.
    func ids(_ kind: Kind) async throws -> [String] {
        var found: [String] = []
        if let id = state.resources[kind.key],
           try await orNil({ try await ec2(kind.describe, [("\(kind.idParameter).1", id)]) })?.list(kind.list).isEmpty == false {
            found.append(id)
        }
        let tagged = try await ec2(kind.describe, clusterFilters()).list(kind.list).compactMap { $0.string(kind.idField) }
        for id in tagged where !found.contains(id) { found.append(id) }
        return found
    }

    /// Deletes, tolerating "already gone" and retrying while AWS says something still depends on it.
    func deleting(_ kind: String, _ id: String, key: String, _ body: @escaping () async throws -> Void) async throws {
        let deadline = Date().addingTimeInterval(dependencyTimeout)
        while true {
            do {
                try await tolerateMissing { try await body() }
                progress(nil)
                break
            } catch let error as AWSError where ["DependencyViolation", "ResourceInUse", "InvalidDependencyViolation"].contains(error.serviceCode ?? "") && Date() < deadline {
                progress("\(kind) \(id) is still in use (\(error.serviceCode ?? "")); trying again")
                try await Task.sleep(nanoseconds: 5_000_000_000)
            }
        }
        if state.resources[key] == id { try record(key, nil) }
        note(.init(.delete, kind, design.cluster, id: id))
    }

    func deleteLoadBalancer() async throws {
        let names = design.loadBalancer.map { [$0.name] } ?? [InfraDesign.elbName(design.cluster)]
        let balancers = try await ours(recorded: state.resources["loadBalancer"], names: names) {
            try await self.findLoadBalancer(named: $0)?.string("LoadBalancerArn")
        }
        for arn in balancers {
            let listeners = try await orNil { try await elb("DescribeListeners", [("LoadBalancerArn", arn)]) }.map { Self.members($0, "Listeners") } ?? []
            for listener in listeners {
                guard let listenerARN = listener.string("ListenerArn") else { continue }
                try await deleting("listener", listenerARN, key: "listener") { try await self.elb("DeleteListener", [("ListenerArn", listenerARN)]) }
            }
            try await deleting("load balancer", arn, key: "loadBalancer") { try await self.elb("DeleteLoadBalancer", [("LoadBalancerArn", arn)]) }
        }
        let groups = try await ours(recorded: state.resources["targetGroup"], names: names) {
            try await self.findTargetGroup(named: $0)?.string("TargetGroupArn")
        }
        for arn in groups {
            // A target group stays in use for a moment after its load balancer is deleted.
            try await deleting("target group", arn, key: "targetGroup") { try await self.elb("DeleteTargetGroup", [("TargetGroupArn", arn)]) }
        }
        state.loadBalancerDNSName = nil
    }

    /// The ELBv2 resources to delete: the ARN in the state, and each one found by name that carries
    /// this cluster's tag (a same-named resource of someone else's is never touched).
    func ours(recorded: String?, names: [String], find: (String) async throws -> String?) async throws -> [String] {
        var arns = recorded.map { [$0] } ?? []
        for name in names {
            if let found = try await find(name), !arns.contains(found), try await elbTags(found)[InfraDesign.clusterTag] == design.cluster {
                arns.append(found)
            }
        }
        return arns
    }

    func terminateInstances() async throws {
        var ids = try await liveInstances().compactMap { $0.string("instanceId") }
        for (key, id) in state.resources where key.hasPrefix("instance/") && !ids.contains(id) {
            let item = try await orNil { try await ec2("DescribeInstances", [("InstanceId.1", id)]) }?.all("instancesSet").first?.children.first
            if let state = item?.path("instanceState", "name")?.value, state != "terminated" { ids.append(id) }
        }
        guard !ids.isEmpty else { return }
        var parameters: [(String, String)] = []
        for (index, id) in ids.enumerated() { parameters.append(("InstanceId.\(index + 1)", id)) }
        try await ec2("TerminateInstances", parameters)
        let started = Date()
        let deadline = started.addingTimeInterval(instanceTimeout)
        defer { progress(nil) }
        while true {
            progress("waiting for \(ids.count) instance\(ids.count == 1 ? "" : "s") to terminate (\(Int(Date().timeIntervalSince(started))) s)")
            let answer = try await ec2("DescribeInstances", parameters)
            let states = answer.all("instancesSet").flatMap { $0.children }.map { $0.path("instanceState", "name")?.value ?? "" }
            if states.allSatisfy({ $0 == "terminated" }) { break }
            guard Date() < deadline else {
                throw InfraError(.instanceTimeout, "instances are still terminating after \(Int(instanceTimeout)) s", fix: "run `hardway infra destroy` again: it picks up where it stopped")
            }
            try await Task.sleep(nanoseconds: 2_000_000_000)
        }
        // A terminated instance stays listed (with its tags) for a while: take the cluster's tags off,
        // so nothing tagged with the cluster remains.
        var untag: [(String, String)] = []
        for (index, id) in ids.enumerated() { untag.append(("ResourceId.\(index + 1)", id)) }
        for (index, key) in [InfraDesign.clusterTag, InfraDesign.roleTag, InfraDesign.hostTag].enumerated() {
            untag.append(("Tag.\(index + 1).Key", key))
        }
        do {
            try await ec2("DeleteTags", untag)
        } catch let error as AWSError where error.serviceCode != nil {
            // Best effort: some regions refuse tag changes on terminated instances, which AWS drops soon anyway.
            note(.init(.keep, "instance tags", "\(ids.count) terminated instances",
                       detail: "AWS refused to remove them (\(error.serviceCode!)); they disappear with the instances"))
        }
        for id in ids {
            let key = state.resources.first { $0.value == id }?.key
            if let key { try record(key, nil) }
            let host = key.map { String($0.dropFirst("instance/".count)) }
            state.publicAddresses[host ?? ""] = nil
            if let host { try forgetHostKeys(of: host) }
            note(.init(.delete, "instance", host ?? id, id: id, detail: "terminated"))
        }
        for key in state.resources.keys where key.hasPrefix("route/") { try record(key, nil) }
    }

    func deleteKeyPair() async throws {
        let name = design.keyPairName
        let existing = try await orNil { try await ec2("DescribeKeyPairs", [("KeyName.1", name)]) }?.list("keySet").first
        guard existing != nil || state.resources["keyPair"] != nil else { return }
        if let existing, existing.tags[InfraDesign.clusterTag] != design.cluster, state.resources["keyPair"] == nil {
            return // a key pair of the same name that hardway did not make
        }
        try await tolerateMissing { try await ec2("DeleteKeyPair", [("KeyName", name)]) }
        try record("keyPair", nil)
        var detail = ""
        if let file = state.keyFile {
            // The private key hardway wrote for this pair opens nothing any more.
            try? FileManager.default.removeItem(atPath: file)
            detail = "removed \(file)"
            state.keyFile = nil
            try state.save(directory: directory)
        }
        note(.init(.delete, "key pair", name, detail: detail))
    }
}

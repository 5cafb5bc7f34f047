import AWS
import Crypto
import Foundation
import PKI
import Shell

/// `infra plan` and `infra apply`: one walk over the design in dependency order. Each resource is
/// looked up (by the ID in the state, else by the cluster's tags or its name) and kept, or created
/// and its ID saved at once; attributes that differ are set. With `dryRun` nothing is created or
/// changed and the walk reports what would be.
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
        let dhcp = try await ensureDHCPOptions(vpc: vpc)
        _ = dhcp
        let subnet = try await ensureSubnet(vpc: vpc)
        let gateway = try await ensureGateway(vpc: vpc)
        let routeTable = try await ensureRouteTable(vpc: vpc, subnet: subnet, gateway: gateway)
        let group = try await ensureSecurityGroup(vpc: vpc)
        try await ensureKeyPair()
        var instances = try await ensureInstances(subnet: subnet, group: group)
        try await removeStaleInstances()
        if !dryRun { instances = try await waitForInstances(instances) }
        try await ensurePodRoutes(routeTable: routeTable, instances: instances)
        try await ensureLoadBalancer(vpc: vpc, subnet: subnet)
        // Last: every AWS resource exists even when a console never shows the keys.
        try await pinHostKeys(instances)
        return changes
    }

    // MARK: - Network

    func ensureVPC() async throws -> String? {
        let cidr = design.vpcCIDR.description
        if let vpc = try await find(.vpc), let id = vpc.string("vpcId") {
            guard vpc.string("cidrBlock") == cidr else {
                throw InfraError("vpc \(id) of \(design.cluster) has \(vpc.string("cidrBlock") ?? "no CIDR"), the cluster file needs \(cidr)",
                                 fix: "run `hardway infra destroy` to start over, or set network.nodeCIDR back to a subnet of \(vpc.string("cidrBlock") ?? "it")")
            }
            try adopt(.vpc, id)
            note(.init(.keep, "vpc", design.cluster, id: id, detail: cidr))
            for attribute in ["enableDnsSupport", "enableDnsHostnames"] {
                let answer = try await ec2("DescribeVpcAttribute", [("VpcId", id), ("Attribute", attribute)])
                if answer.path(attribute, "value")?.value != "true" {
                    try await change("vpc", design.cluster, id: id, detail: "\(attribute) on") {
                        try await self.ec2("ModifyVpcAttribute", [("VpcId", id), ("\(attribute.prefix(1).uppercased() + attribute.dropFirst()).Value", "true")])
                    }
                }
            }
            return id
        }
        guard !dryRun else {
            note(.init(.create, "vpc", design.cluster, detail: "\(cidr), DNS support and hostnames on"))
            return nil
        }
        let id = try await createTagged(.vpc, "CreateVpc", resourceType: "vpc", element: "vpc", [("CidrBlock", cidr)]).id
        // One attribute per call: the API refuses both at once.
        try await ec2("ModifyVpcAttribute", [("VpcId", id), ("EnableDnsSupport.Value", "true")])
        try await ec2("ModifyVpcAttribute", [("VpcId", id), ("EnableDnsHostnames.Value", "true")])
        note(.init(.create, "vpc", design.cluster, id: id, detail: "\(cidr), DNS support and hostnames on"))
        return id
    }

    func ensureDHCPOptions(vpc: String?) async throws -> String? {
        let detail = "domain-name \(design.dhcpDomainName), AmazonProvidedDNS"
        var id: String?
        if let found = try await find(.dhcp), let foundID = found.string("dhcpOptionsId") {
            id = foundID
            try adopt(.dhcp, foundID)
            note(.init(.keep, "dhcp options", design.cluster, id: foundID, detail: detail))
        } else if dryRun {
            note(.init(.create, "dhcp options", design.cluster, detail: detail + ", associated with the vpc"))
            return nil
        } else {
            let created = try await createTagged(.dhcp, "CreateDhcpOptions", resourceType: "dhcp-options", element: "dhcpOptions", [
                ("DhcpConfiguration.1.Key", "domain-name"), ("DhcpConfiguration.1.Value.1", design.dhcpDomainName),
                ("DhcpConfiguration.2.Key", "domain-name-servers"), ("DhcpConfiguration.2.Value.1", "AmazonProvidedDNS"),
            ]).id
            note(.init(.create, "dhcp options", design.cluster, id: created, detail: detail))
            id = created
        }
        guard let id, let vpc else { return id }
        let current = try await ec2("DescribeVpcs", [("VpcId.1", vpc)]).list("vpcSet").first?.string("dhcpOptionsId")
        if current != id {
            try await change("dhcp options", design.cluster, id: id, detail: "associated with \(vpc)") {
                try await self.ec2("AssociateDhcpOptions", [("DhcpOptionsId", id), ("VpcId", vpc)])
            }
        }
        return id
    }

    func ensureSubnet(vpc: String?) async throws -> String? {
        let cidr = design.subnetCIDR.description
        if let vpc, let subnet = try await find(.subnet, extra: [("vpc-id", [vpc])]), let id = subnet.string("subnetId") {
            guard subnet.string("cidrBlock") == cidr else {
                throw InfraError("subnet \(id) has \(subnet.string("cidrBlock") ?? "no CIDR"), network.nodeCIDR says \(cidr)",
                                 fix: "run `hardway infra destroy` to start over, or set network.nodeCIDR to \(subnet.string("cidrBlock") ?? "it")")
            }
            try adopt(.subnet, id)
            note(.init(.keep, "subnet", design.cluster, id: id, detail: cidr))
            return id
        }
        guard !dryRun, let vpc else {
            note(.init(.create, "subnet", design.cluster, detail: cidr))
            return nil
        }
        let id = try await createTagged(.subnet, "CreateSubnet", resourceType: "subnet", element: "subnet", [("VpcId", vpc), ("CidrBlock", cidr)]).id
        note(.init(.create, "subnet", design.cluster, id: id, detail: cidr))
        return id
    }

    func ensureGateway(vpc: String?) async throws -> String? {
        var id: String?
        var attachedTo: [String] = []
        if let gateway = try await find(.gateway), let found = gateway.string("internetGatewayId") {
            id = found
            attachedTo = gateway.list("attachmentSet").compactMap { $0.string("vpcId") }
            try adopt(.gateway, found)
            note(.init(.keep, "internet gateway", design.cluster, id: found))
        } else if dryRun {
            note(.init(.create, "internet gateway", design.cluster, detail: "attached to the vpc"))
            return nil
        } else {
            let created = try await createTagged(.gateway, "CreateInternetGateway", resourceType: "internet-gateway", element: "internetGateway", []).id
            note(.init(.create, "internet gateway", design.cluster, id: created))
            id = created
        }
        guard let id, let vpc, !attachedTo.contains(vpc) else { return id }
        try await change("internet gateway", design.cluster, id: id, detail: "attached to \(vpc)") {
            try await self.ec2("AttachInternetGateway", [("InternetGatewayId", id), ("VpcId", vpc)])
        }
        return id
    }

    func ensureRouteTable(vpc: String?, subnet: String?, gateway: String?) async throws -> XMLNode? {
        var table: XMLNode?
        if let vpc, let found = try await find(.routeTable, extra: [("vpc-id", [vpc])]), let id = found.string("routeTableId") {
            try adopt(.routeTable, id)
            note(.init(.keep, "route table", design.cluster, id: id))
            table = found
        } else if dryRun || vpc == nil {
            note(.init(.create, "route table", design.cluster, detail: "associated with the subnet, default route to the internet gateway"))
            return nil
        } else {
            let created = try await createTagged(.routeTable, "CreateRouteTable", resourceType: "route-table", element: "routeTable", [("VpcId", vpc!)])
            note(.init(.create, "route table", design.cluster, id: created.id))
            table = created.node
        }
        guard let table, let id = table.string("routeTableId") else { return nil }
        if let subnet, !table.list("associationSet").contains(where: { $0.string("subnetId") == subnet }) {
            try await change("route table", design.cluster, id: id, detail: "associated with \(subnet)") {
                let answer = try await self.ec2("AssociateRouteTable", [("RouteTableId", id), ("SubnetId", subnet)])
                try self.record("routeTableAssociation", answer.string("associationId"))
            }
        }
        if let gateway, !table.list("routeSet").contains(where: { $0.string("destinationCidrBlock") == "0.0.0.0/0" && $0.string("gatewayId") == gateway }) {
            let replace = table.list("routeSet").contains { $0.string("destinationCidrBlock") == "0.0.0.0/0" }
            try await change("route", "0.0.0.0/0", id: id, detail: "to \(gateway)") {
                try await self.ec2(replace ? "ReplaceRoute" : "CreateRoute", [("RouteTableId", id), ("DestinationCidrBlock", "0.0.0.0/0"), ("GatewayId", gateway)])
            }
        }
        return try await ec2("DescribeRouteTables", [("RouteTableId.1", id)]).list("routeTableSet").first ?? table
    }

    func ensureSecurityGroup(vpc: String?) async throws -> String? {
        var id: String?
        var present: [InfraDesign.IngressRule] = []
        if let vpc, let group = try await find(.securityGroup, extra: [("vpc-id", [vpc])]), let found = group.string("groupId") {
            id = found
            present = Self.rules(of: group)
            try adopt(.securityGroup, found)
            note(.init(.keep, "security group", design.securityGroupName, id: found))
        } else if dryRun || vpc == nil {
            note(.init(.create, "security group", design.securityGroupName, detail: "\(design.rules.count) ingress rules"))
            for rule in design.rules { note(.init(.create, "ingress rule", rule.summary, detail: rule.why)) }
            return nil
        } else {
            let created = try await createTagged(.securityGroup, "CreateSecurityGroup", resourceType: "security-group", element: nil, [
                ("GroupName", design.securityGroupName), ("VpcId", vpc!), ("GroupDescription", "Kubernetes cluster \(design.cluster) (hardway)"),
            ]).id
            note(.init(.create, "security group", design.securityGroupName, id: created))
            id = created
        }
        guard let id else { return nil }
        let missing = design.rules.filter { rule in !present.contains { $0.matches(rule) } }
        for rule in design.rules where !missing.contains(rule) {
            note(.init(.keep, "ingress rule", rule.summary, id: id, detail: rule.why))
        }
        guard !missing.isEmpty else { return id }
        for rule in missing {
            note(.init(.create, "ingress rule", rule.summary, id: id, detail: rule.why))
        }
        if !dryRun {
            var parameters = [("GroupId", id)]
            for (index, rule) in missing.enumerated() {
                let prefix = "IpPermissions.\(index + 1)"
                parameters.append(("\(prefix).IpProtocol", rule.proto))
                if rule.proto != "-1" {
                    parameters.append(("\(prefix).FromPort", String(rule.fromPort)))
                    parameters.append(("\(prefix).ToPort", String(rule.toPort)))
                }
                parameters.append(("\(prefix).IpRanges.1.CidrIp", rule.cidr))
                parameters.append(("\(prefix).IpRanges.1.Description", rule.why))
            }
            try await ec2("AuthorizeSecurityGroupIngress", parameters)
        }
        return id
    }

    /// The group's ingress rules, one per CIDR.
    static func rules(of group: XMLNode) -> [InfraDesign.IngressRule] {
        group.list("ipPermissions").flatMap { permission -> [InfraDesign.IngressRule] in
            let proto = permission.string("ipProtocol") ?? ""
            let from = Int(permission.string("fromPort") ?? "") ?? -1
            let to = Int(permission.string("toPort") ?? "") ?? -1
            return permission.list("ipRanges").compactMap { range in
                range.string("cidrIp").map { InfraDesign.IngressRule(proto, from, to, $0, why: "") }
            }
        }
    }

    // MARK: - Key pair

    func ensureKeyPair() async throws {
        let name = design.keyPairName
        let existing = try await orNil { try await ec2("DescribeKeyPairs", [("KeyName.1", name)]) }?.list("keySet").first
        let fileExists = FileManager.default.fileExists(atPath: identityFile)
        if let existing {
            try adopt(key: "keyPair", existing.string("keyName") ?? name)
            if fileExists {
                note(.init(.keep, "key pair", name, id: existing.string("keyPairId"), detail: "private key at \(identityFile)"))
                return
            }
            // The pair exists but its private key was never saved (an apply stopped in between) or was
            // lost. Replace the pair only while no instance was launched with it.
            let users = try await liveInstances().filter { $0.string("keyName") == name }
            guard users.isEmpty else {
                throw InfraError("key pair \(name) exists but its private key is not at \(identityFile), and \(users.count) instance\(users.count == 1 ? "" : "s") use it",
                                 fix: "restore the private key to \(identityFile) (or point ssh.identityFile at it); AWS never hands out a key pair's private key twice")
            }
            if dryRun {
                note(.init(.change, "key pair", name, detail: "made again: its private key is not at \(identityFile)"))
                return
            }
            try await ec2("DeleteKeyPair", [("KeyName", name)])
        } else if dryRun {
            note(.init(.create, "key pair", name, detail: fileExists ? "imported from \(identityFile)" : "private key saved to \(identityFile)"))
            return
        }
        if fileExists && existing == nil {
            // The user's own key: upload its public half, never overwrite it.
            let publicKey = try Exec.check("ssh-keygen", ["-y", "-f", identityFile]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let answer = try await ec2("ImportKeyPair", [("KeyName", name), ("PublicKeyMaterial", Data(publicKey.utf8).base64EncodedString())]
                                       + tagSpecification("key-pair", role: "keyPair"))
            try record("keyPair", name)
            note(.init(.create, "key pair", name, id: answer.string("keyPairId"), detail: "imported from \(identityFile)"))
            return
        }
        let answer = try await ec2("CreateKeyPair", [("KeyName", name), ("KeyType", "rsa")] + tagSpecification("key-pair", role: "keyPair"))
        let material = try required(answer.child("keyMaterial"), "CreateKeyPair")
        // A directory that exists keeps its mode: it may be the user's own (the cluster file's).
        let directory = (identityFile as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: directory) { try AtomicFile.makeDirectory(directory, mode: 0o700) }
        try AtomicFile.write(material + (material.hasSuffix("\n") ? "" : "\n"), to: identityFile, mode: 0o600)
        state.keyFile = identityFile
        try record("keyPair", name)
        note(.init(.create, "key pair", name, id: answer.string("keyPairId"), detail: "private key saved to \(identityFile) (0600)"))
    }

    // MARK: - Instances

    /// Host name → the instance (nil in a dry run when it is still to be made).
    func ensureInstances(subnet: String?, group: String?) async throws -> [String: XMLNode?] {
        var result: [String: XMLNode?] = [:]
        var image: String?
        let live = try await liveInstances()
        for instance in design.instances {
            let key = "instance/\(instance.host)"
            var found: XMLNode?
            if let id = state.resources[key] {
                found = live.first { $0.string("instanceId") == id }
            }
            if found == nil {
                found = live.first { $0.tags[InfraDesign.hostTag] == instance.host }
            }
            if let found, let id = found.string("instanceId") {
                let address = found.string("privateIpAddress")
                guard address == instance.privateAddress else {
                    throw InfraError("instance \(id) of \(instance.host) has the address \(address ?? "none"), the cluster file says \(instance.privateAddress)",
                                     fix: "set \(instance.host)'s address back to \(address ?? "its address"), or terminate the instance and run `hardway infra apply` again")
                }
                try adopt(key: key, id)
                note(.init(.keep, "instance", instance.host, id: id, detail: "\(instance.privateAddress), \(found.string("instanceType") ?? design.instanceType)"))
                if found.string("sourceDestCheck") != "false" {
                    try await change("instance", instance.host, id: id, detail: "source/destination check off") {
                        try await self.ec2("ModifyInstanceAttribute", [("InstanceId", id), ("SourceDestCheck.Value", "false")])
                    }
                }
                result[instance.host] = found
                continue
            }
            if image == nil { image = try await findImage() }
            guard !dryRun, let subnet, let group, let image else {
                note(.init(.create, "instance", instance.host, detail: "\(design.instanceType), \(instance.privateAddress), public address, user data \"\(instance.userData)\", image \(image ?? "?"), source/destination check off"))
                result[instance.host] = .some(nil)
                continue
            }
            var parameters: [(String, String)] = [
                ("ImageId", image), ("InstanceType", design.instanceType), ("MinCount", "1"), ("MaxCount", "1"),
                ("KeyName", design.keyPairName), ("UserData", Data(instance.userData.utf8).base64EncodedString()),
                ("NetworkInterface.1.DeviceIndex", "0"), ("NetworkInterface.1.SubnetId", subnet),
                ("NetworkInterface.1.PrivateIpAddress", instance.privateAddress),
                ("NetworkInterface.1.AssociatePublicIpAddress", "true"), ("NetworkInterface.1.SecurityGroupId.1", group),
                // The same token makes a retried launch return the first one instead of a second instance.
                ("ClientToken", clientToken(for: instance.host, subnet: subnet)),
            ]
            parameters += tagSpecification("instance", role: "instance", name: instance.nameTag, host: instance.host)
            let answer = try await ec2("RunInstances", parameters)
            let launched = try requiredNode(answer.list("instancesSet").first, "RunInstances")
            let id = try required(launched.child("instanceId"), "RunInstances")
            try record(key, id)
            try await ec2("ModifyInstanceAttribute", [("InstanceId", id), ("SourceDestCheck.Value", "false")])
            note(.init(.create, "instance", instance.host, id: id, detail: "\(design.instanceType), \(instance.privateAddress), user data \"\(instance.userData)\", source/destination check off"))
            result[instance.host] = launched
        }
        return result
    }

    /// The idempotency token of a host's launch: the same while a launch of it may have happened
    /// unrecorded (an apply killed mid-call), new once an instance of it was recorded and is gone
    /// (EC2 would otherwise hand back that terminated instance).
    func clientToken(for host: String, subnet: String) -> String {
        let previous = state.resources["instance/\(host)"] ?? ""
        let digest = SHA256.hash(data: Array("\(design.cluster)|\(host)|\(subnet)|\(previous)".utf8))
        return "hardway-" + digest.prefix(20).map { String(format: "%02x", $0) }.joined()
    }

    /// The newest image (by creation date, then name) of the owner whose name matches the pattern.
    func findImage() async throws -> String {
        let answer = try await ec2("DescribeImages", [("Owner.1", design.imageOwner)]
                                   + Self.filters([("name", [design.imageName]), ("state", ["available"])]))
        let images = answer.list("imagesSet").compactMap { item -> (id: String, name: String, created: String)? in
            guard let id = item.string("imageId") else { return nil }
            return (id, item.string("name") ?? "", item.string("creationDate") ?? "")
        }
        guard let newest = images.max(by: { ($0.created, $0.name) < ($1.created, $1.name) }) else {
            throw InfraError("no image of owner \(design.imageOwner) matches \"\(design.imageName)\" in \(design.region)",
                             fix: "check infra.image.owner and infra.image.name (a pattern with *), or the region")
        }
        return newest.id
    }

    /// Instances tagged with the cluster whose host is no longer in the cluster file.
    func removeStaleInstances() async throws {
        let wanted = Set(design.instances.map(\.host))
        for instance in try await liveInstances() {
            // Only instances hardway launched for a host: never one merely carrying the cluster's tag.
            guard let id = instance.string("instanceId"), let host = instance.tags[InfraDesign.hostTag], !wanted.contains(host) else { continue }
            try await change("instance", host, id: id, action: .delete, detail: "no longer in the cluster file") {
                try await self.ec2("TerminateInstances", [("InstanceId.1", id)])
                self.state.publicAddresses[host] = nil
                try self.forgetHostKeys(of: host)
                try self.record("instance/\(host)", nil)
            }
        }
    }

    /// Polls until every instance runs; records their public addresses.
    func waitForInstances(_ instances: [String: XMLNode?]) async throws -> [String: XMLNode?] {
        let ids = instances.compactMap { $0.value?.string("instanceId") }
        guard !ids.isEmpty else { return instances }
        let started = Date()
        let deadline = started.addingTimeInterval(instanceTimeout)
        var result = instances
        defer { progress(nil) }
        while true {
            var parameters: [(String, String)] = []
            for (index, id) in ids.enumerated() { parameters.append(("InstanceId.\(index + 1)", id)) }
            let answer = try await ec2("DescribeInstances", parameters)
            let items = answer.all("instancesSet").flatMap { $0.children.filter { $0.name == "item" } }
            let pending = items.filter { $0.path("instanceState", "name")?.value != "running" }
            if pending.isEmpty {
                for item in items {
                    guard let host = item.tags[InfraDesign.hostTag] ?? instances.first(where: { $0.value?.string("instanceId") == item.string("instanceId") })?.key else { continue }
                    result[host] = item
                    state.publicAddresses[host] = item.string("ipAddress")
                }
                try state.save(directory: directory)
                return result
            }
            if let failed = pending.first(where: { ["terminated", "shutting-down", "stopped"].contains($0.path("instanceState", "name")?.value ?? "") }) {
                throw InfraError("instance \(failed.string("instanceId") ?? "?") is \(failed.path("instanceState", "name")?.value ?? "?") instead of running: \(failed.path("stateReason", "message")?.value ?? "no reason given")",
                                 fix: "see the instance in the EC2 console, then run `hardway infra apply` again")
            }
            progress("waiting for \(pending.count) instance\(pending.count == 1 ? "" : "s") to run (\(Int(Date().timeIntervalSince(started))) s)")
            guard Date() < deadline else {
                throw InfraError("\(pending.count) instance\(pending.count == 1 ? " is" : "s are") not running after \(Int(instanceTimeout)) s",
                                 fix: "see them in the EC2 console, then run `hardway infra apply` again (it resumes)")
            }
            try await Task.sleep(nanoseconds: 2_000_000_000)
        }
    }

    // MARK: - Pod routes

    func ensurePodRoutes(routeTable: XMLNode?, instances: [String: XMLNode?]) async throws {
        let routes = routeTable?.list("routeSet") ?? []
        let tableID = routeTable?.string("routeTableId")
        var wanted: Set<String> = []
        for instance in design.instances {
            guard let cidr = instance.podCIDR else { continue }
            wanted.insert(cidr)
            let instanceID = instances[instance.host].flatMap { $0?.string("instanceId") }
            let existing = routes.first { $0.string("destinationCidrBlock") == cidr }
            if let existing, let instanceID, existing.string("instanceId") == instanceID {
                if !dryRun { try adopt(key: "route/\(instance.host)", cidr) }
                note(.init(.keep, "pod route", instance.host, id: tableID, detail: "\(cidr) → \(instanceID)"))
                continue
            }
            guard let tableID, let instanceID else {
                note(.init(.create, "pod route", instance.host, detail: "\(cidr) → the instance of \(instance.host)"))
                continue
            }
            try await change("pod route", instance.host, id: tableID, action: existing == nil ? .create : .change, detail: "\(cidr) → \(instanceID)") {
                try await self.ec2(existing == nil ? "CreateRoute" : "ReplaceRoute",
                                   [("RouteTableId", tableID), ("DestinationCidrBlock", cidr), ("InstanceId", instanceID)])
                try self.record("route/\(instance.host)", cidr)
            }
        }
        // Routes to instances for CIDRs no worker has any more.
        for route in routes where route.string("instanceId") != nil {
            guard let cidr = route.string("destinationCidrBlock"), !wanted.contains(cidr), let tableID else { continue }
            try await change("pod route", cidr, id: tableID, action: .delete, detail: "no worker has this pod CIDR") {
                try await self.ec2("DeleteRoute", [("RouteTableId", tableID), ("DestinationCidrBlock", cidr)])
            }
        }
        if !dryRun {
            for key in state.resources.keys where key.hasPrefix("route/") && !design.instances.contains(where: { "route/\($0.host)" == key && $0.podCIDR != nil }) {
                try record(key, nil)
            }
        }
    }

    // MARK: - Network load balancer

    func ensureLoadBalancer(vpc: String?, subnet: String?) async throws {
        guard let lb = design.loadBalancer else { return }
        var arn: String?
        if let found = try await findLoadBalancer(named: lb.name), let foundARN = found.string("LoadBalancerArn") {
            try await requireOurs(foundARN, kind: "load balancer", name: lb.name)
            arn = foundARN
            try adopt(key: "loadBalancer", foundARN)
            if !dryRun, let dns = found.string("DNSName") { state.loadBalancerDNSName = dns; try state.save(directory: directory) }
            note(.init(.keep, "load balancer", lb.name, id: foundARN, detail: "network, internet-facing, \(found.string("DNSName") ?? "")"))
        } else if dryRun || subnet == nil {
            note(.init(.create, "load balancer", lb.name, detail: "network, internet-facing, in the subnet"))
        } else {
            let answer = try await elb("CreateLoadBalancer", [("Name", lb.name), ("Type", "network"), ("Scheme", "internet-facing"),
                                                              ("Subnets.member.1", subnet!)] + tagParameters(prefix: "Tags.member", role: "loadBalancer"))
            let created = try requiredNode(Self.members(answer, "LoadBalancers").first, "CreateLoadBalancer")
            let createdARN = try required(created.child("LoadBalancerArn"), "CreateLoadBalancer")
            state.loadBalancerDNSName = created.string("DNSName")
            try record("loadBalancer", createdARN)
            note(.init(.create, "load balancer", lb.name, id: createdARN, detail: "network, internet-facing, \(created.string("DNSName") ?? "")"))
            arn = createdARN
        }

        var group: String?
        if let found = try await findTargetGroup(named: lb.targetGroupName), let foundARN = found.string("TargetGroupArn") {
            try await requireOurs(foundARN, kind: "target group", name: lb.targetGroupName)
            group = foundARN
            try adopt(key: "targetGroup", foundARN)
            note(.init(.keep, "target group", lb.targetGroupName, id: foundARN, detail: "TCP \(lb.targetPort)"))
        } else if dryRun || vpc == nil {
            note(.init(.create, "target group", lb.targetGroupName, detail: "TCP \(lb.targetPort), ip targets \(lb.targets.joined(separator: ", "))"))
        } else {
            let answer = try await elb("CreateTargetGroup", [("Name", lb.targetGroupName), ("Protocol", "TCP"), ("Port", String(lb.targetPort)),
                                                             ("VpcId", vpc!), ("TargetType", "ip"), ("HealthCheckProtocol", "TCP")]
                                       + tagParameters(prefix: "Tags.member", role: "targetGroup"))
            let created = try required(Self.members(answer, "TargetGroups").first?.child("TargetGroupArn"), "CreateTargetGroup")
            try record("targetGroup", created)
            note(.init(.create, "target group", lb.targetGroupName, id: created, detail: "TCP \(lb.targetPort)"))
            group = created
        }

        if let group {
            let health = try await elb("DescribeTargetHealth", [("TargetGroupArn", group)])
            let registered = Set(Self.members(health, "TargetHealthDescriptions").compactMap { $0.path("Target", "Id")?.value })
            let missing = lb.targets.filter { !registered.contains($0) }
            let extra = registered.subtracting(lb.targets).sorted()
            for target in lb.targets where registered.contains(target) {
                note(.init(.keep, "target", target, id: group, detail: "port \(lb.targetPort)"))
            }
            if !missing.isEmpty {
                try await change("targets", missing.joined(separator: ", "), id: group, action: .create, detail: "port \(lb.targetPort)") {
                    try await self.elb("RegisterTargets", Self.targetParameters(group, missing, port: lb.targetPort))
                }
            }
            if !extra.isEmpty {
                try await change("targets", extra.joined(separator: ", "), id: group, action: .delete, detail: "no longer a controller") {
                    try await self.elb("DeregisterTargets", Self.targetParameters(group, extra, port: lb.targetPort))
                }
            }
        } else {
            note(.init(.create, "targets", lb.targets.joined(separator: ", "), detail: "port \(lb.targetPort)"))
        }

        guard let arn, let group else {
            note(.init(.create, "listener", "TCP \(lb.listenerPort)", detail: "forward to the target group"))
            return
        }
        let listeners = Self.members(try await elb("DescribeListeners", [("LoadBalancerArn", arn)]), "Listeners")
        if let listener = listeners.first(where: { $0.string("Port") == String(lb.listenerPort) }), let listenerARN = listener.string("ListenerArn") {
            try adopt(key: "listener", listenerARN)
            let forwardsTo = listener.all("TargetGroupArn").map(\.value)
            if forwardsTo.contains(group) {
                note(.init(.keep, "listener", "TCP \(lb.listenerPort)", id: listenerARN, detail: "forward to the target group"))
            } else {
                try await change("listener", "TCP \(lb.listenerPort)", id: listenerARN, detail: "forward to \(lb.targetGroupName)") {
                    try await self.elb("ModifyListener", [("ListenerArn", listenerARN), ("DefaultActions.member.1.Type", "forward"),
                                                          ("DefaultActions.member.1.TargetGroupArn", group)])
                }
            }
            return
        }
        guard !dryRun else {
            note(.init(.create, "listener", "TCP \(lb.listenerPort)", detail: "forward to the target group"))
            return
        }
        let answer = try await elb("CreateListener", [("LoadBalancerArn", arn), ("Protocol", "TCP"), ("Port", String(lb.listenerPort)),
                                                      ("DefaultActions.member.1.Type", "forward"), ("DefaultActions.member.1.TargetGroupArn", group)])
        let created = try required(Self.members(answer, "Listeners").first?.child("ListenerArn"), "CreateListener")
        try record("listener", created)
        note(.init(.create, "listener", "TCP \(lb.listenerPort)", id: created, detail: "forward to the target group"))
    }

    /// A load balancer or target group with the cluster's name must carry its tag: hardway never
    /// takes over someone else's.
    func requireOurs(_ arn: String, kind: String, name: String) async throws {
        let tags = try await elbTags(arn)
        guard tags[InfraDesign.clusterTag] == design.cluster else {
            throw InfraError("a \(kind) named \(name) exists and is not tagged \(InfraDesign.clusterTag)=\(design.cluster)",
                             fix: "delete or rename that \(kind), or rename the cluster (its name names the \(kind))")
        }
    }

    // MARK: - Helpers

    /// Saves an ID found by tags, so the next run finds it directly.
    func adopt(_ kind: Kind, _ id: String) throws { try adopt(key: kind.key, id) }

    func adopt(key: String, _ id: String) throws {
        guard !dryRun, state.resources[key] != id else { return }
        try record(key, id)
    }

    /// Reports an attribute change and makes it unless this is a dry run.
    func change(_ kind: String, _ name: String, id: String?, action: InfraChange.Action = .change, detail: String,
                _ body: () async throws -> Void) async throws {
        if !dryRun { try await body() }
        note(.init(action, kind, name, id: id, detail: detail))
    }

    /// Creates an EC2 resource of `kind` tagged with the cluster and records its ID at once. `element`
    /// holds the created resource in the answer (nil: the ID is at the top, as CreateSecurityGroup puts it).
    func createTagged(_ kind: Kind, _ action: String, resourceType: String, element: String?,
                      _ parameters: [(String, String)]) async throws -> (id: String, node: XMLNode?) {
        let answer = try await ec2(action, parameters + tagSpecification(resourceType, role: kind.key))
        let node = element.flatMap { answer.child($0) }
        let id = try required(node?.child(kind.idField) ?? answer.child(kind.idField), action)
        try record(kind.key, id)
        try await ensureTags(id, node, role: kind.key)
        return (id, node)
    }

    /// Some services ignore TagSpecification for some resources: tag them afterwards.
    func ensureTags(_ id: String, _ created: XMLNode?, role: String) async throws {
        if let created, created.tags[InfraDesign.clusterTag] == design.cluster { return }
        try await ec2("CreateTags", [("ResourceId.1", id)] + tagParameters(prefix: "Tag", role: role))
    }

    func required(_ node: XMLNode?, _ action: String) throws -> String {
        guard let value = node?.value, !value.isEmpty else {
            throw InfraError("\(action) answered without the ID it creates", fix: "run `hardway infra apply` again: it finds what was made by its tags")
        }
        return value
    }

    func requiredNode(_ node: XMLNode?, _ action: String) throws -> XMLNode {
        guard let node else {
            throw InfraError("\(action) answered without what it creates", fix: "run `hardway infra apply` again: it finds what was made by its tags")
        }
        return node
    }

    /// RegisterTargets and DeregisterTargets take the same list: each instance with the port.
    static func targetParameters(_ group: String, _ targets: [String], port: Int) -> [(String, String)] {
        var parameters = [("TargetGroupArn", group)]
        for (index, target) in targets.enumerated() {
            parameters += [("Targets.member.\(index + 1).Id", target), ("Targets.member.\(index + 1).Port", String(port))]
        }
        return parameters
    }
}

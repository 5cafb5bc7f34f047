import AWS

/// The network the instances live in: VPC, DHCP options, subnet, internet gateway, route table and
/// security group, each found or made, then its attributes and associations set.
extension InfraProvisioner {
    func ensureVPC() async throws -> String? {
        let cidr = design.vpcCIDR.description
        if let vpc = try await find(.vpc), let id = vpc.string("vpcId") {
            guard vpc.string("cidrBlock") == cidr else {
                throw InfraError(.cidrMismatch, "vpc \(id) of \(design.cluster) has \(vpc.string("cidrBlock") ?? "no CIDR"), the cluster file needs \(cidr)",
                                 fix: "run `hardway infra destroy` to start over, or set network.nodeCIDR back to a subnet of \(vpc.string("cidrBlock") ?? "it")")
            }
            try await adopt(.vpc, id)
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
        let planned = InfraChange(.create, "vpc", design.cluster, detail: "\(cidr), DNS support and hostnames on")
        return try await act(planned) {
            let id = try await createTagged(.vpc, "CreateVpc", resourceType: "vpc", element: "vpc", [("CidrBlock", cidr)]).id
            // One attribute per call: the API refuses both at once.
            try await ec2("ModifyVpcAttribute", [("VpcId", id), ("EnableDnsSupport.Value", "true")])
            try await ec2("ModifyVpcAttribute", [("VpcId", id), ("EnableDnsHostnames.Value", "true")])
            note(planned.identified(id))
            return id
        }
    }

    @discardableResult
    func ensureDHCPOptions(vpc: String?) async throws -> String? {
        let detail = "domain-name \(design.dhcpDomainName), AmazonProvidedDNS"
        let id: String?
        if let found = try await find(.dhcp), let foundID = found.string("dhcpOptionsId") {
            id = foundID
            try await adopt(.dhcp, foundID)
            note(.init(.keep, "dhcp options", design.cluster, id: foundID, detail: detail))
        } else {
            id = try await act(InfraChange(.create, "dhcp options", design.cluster, detail: detail + ", associated with the vpc")) {
                let created = try await createTagged(.dhcp, "CreateDhcpOptions", resourceType: "dhcp-options", element: "dhcpOptions", [
                    ("DhcpConfiguration.1.Key", "domain-name"), ("DhcpConfiguration.1.Value.1", design.dhcpDomainName),
                    ("DhcpConfiguration.2.Key", "domain-name-servers"), ("DhcpConfiguration.2.Value.1", "AmazonProvidedDNS"),
                ]).id
                note(.init(.create, "dhcp options", design.cluster, id: created, detail: detail))
                return created
            }
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
                throw InfraError(.cidrMismatch, "subnet \(id) has \(subnet.string("cidrBlock") ?? "no CIDR"), network.nodeCIDR says \(cidr)",
                                 fix: "run `hardway infra destroy` to start over, or set network.nodeCIDR to \(subnet.string("cidrBlock") ?? "it")")
            }
            try await adopt(.subnet, id)
            note(.init(.keep, "subnet", design.cluster, id: id, detail: cidr))
            return id
        }
        let planned = InfraChange(.create, "subnet", design.cluster, detail: cidr)
        return try await act(planned, with: vpc) { vpc in
            let id = try await createTagged(.subnet, "CreateSubnet", resourceType: "subnet", element: "subnet", [("VpcId", vpc), ("CidrBlock", cidr)]).id
            note(planned.identified(id))
            return id
        }
    }

    func ensureGateway(vpc: String?) async throws -> String? {
        let id: String?
        var attachedTo: [String] = []
        if let gateway = try await find(.gateway), let found = gateway.string("internetGatewayId") {
            id = found
            attachedTo = gateway.list("attachmentSet").compactMap { $0.string("vpcId") }
            try await adopt(.gateway, found)
            note(.init(.keep, "internet gateway", design.cluster, id: found))
        } else {
            id = try await act(InfraChange(.create, "internet gateway", design.cluster, detail: "attached to the vpc")) {
                let created = try await createTagged(.gateway, "CreateInternetGateway", resourceType: "internet-gateway", element: "internetGateway", []).id
                note(.init(.create, "internet gateway", design.cluster, id: created))
                return created
            }
        }
        guard let id, let vpc, !attachedTo.contains(vpc) else { return id }
        try await change("internet gateway", design.cluster, id: id, detail: "attached to \(vpc)") {
            try await self.ec2("AttachInternetGateway", [("InternetGatewayId", id), ("VpcId", vpc)])
        }
        return id
    }

    /// The route table as it is after this run (its routes are what the pod routes compare with).
    func ensureRouteTable(vpc: String?, subnet: String?, gateway: String?) async throws -> XMLNode? {
        let table: XMLNode?
        if let vpc, let found = try await find(.routeTable, extra: [("vpc-id", [vpc])]), let id = found.string("routeTableId") {
            try await adopt(.routeTable, id)
            note(.init(.keep, "route table", design.cluster, id: id))
            table = found
        } else {
            let planned = InfraChange(.create, "route table", design.cluster, detail: "associated with the subnet, default route to the internet gateway")
            table = try await act(planned, with: vpc) { vpc in
                let created = try await createTagged(.routeTable, "CreateRouteTable", resourceType: "route-table", element: "routeTable", [("VpcId", vpc)])
                note(.init(.create, "route table", design.cluster, id: created.id))
                return created.node
            } ?? nil
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
        let id: String?
        var present: [InfraDesign.IngressRule] = []
        if let vpc, let group = try await find(.securityGroup, extra: [("vpc-id", [vpc])]), let found = group.string("groupId") {
            id = found
            present = Self.rules(of: group)
            try await adopt(.securityGroup, found)
            note(.init(.keep, "security group", design.securityGroupName, id: found))
        } else {
            let planned = InfraChange(.create, "security group", design.securityGroupName, detail: "\(design.rules.count) ingress rules")
            id = try await act(planned, with: vpc) { vpc in
                let created = try await createTagged(.securityGroup, "CreateSecurityGroup", resourceType: "security-group", element: nil, [
                    ("GroupName", design.securityGroupName), ("VpcId", vpc), ("GroupDescription", "Kubernetes cluster \(design.cluster) (hardway)"),
                ]).id
                note(.init(.create, "security group", design.securityGroupName, id: created))
                return created
            }
        }
        // A group still to be made has none of the rules: a plan lists each one to create.
        let missing = design.rules.filter { rule in !present.contains { $0.matches(rule) } }
        for rule in design.rules where !missing.contains(rule) {
            note(.init(.keep, "ingress rule", rule.summary, id: id, detail: rule.why))
        }
        for rule in missing {
            note(.init(.create, "ingress rule", rule.summary, id: id, detail: rule.why))
        }
        guard let id, !missing.isEmpty else { return id }
        try await act { try await ec2("AuthorizeSecurityGroupIngress", Self.ingressParameters(group: id, missing)) }
        return id
    }

    /// One AuthorizeSecurityGroupIngress for every missing rule.
    static func ingressParameters(group: String, _ rules: [InfraDesign.IngressRule]) -> [(String, String)] {
        var parameters = [("GroupId", group)]
        for (index, rule) in rules.enumerated() {
            let prefix = "IpPermissions.\(index + 1)"
            parameters.append(("\(prefix).IpProtocol", rule.proto))
            if rule.proto != "-1" {
                parameters.append(("\(prefix).FromPort", String(rule.fromPort)))
                parameters.append(("\(prefix).ToPort", String(rule.toPort)))
            }
            parameters.append(("\(prefix).IpRanges.1.CidrIp", rule.cidr))
            parameters.append(("\(prefix).IpRanges.1.Description", rule.why))
        }
        return parameters
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
}

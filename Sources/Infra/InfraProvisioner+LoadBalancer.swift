import AWS

/// The network load balancer in front of the API servers: the balancer, its target group, the
/// controllers registered as targets, and the listener that forwards to them.
extension InfraProvisioner {
    func ensureLoadBalancer(vpc: String?, subnet: String?) async throws {
        guard let lb = design.loadBalancer else { return }
        let balancer = try await ensureBalancer(lb, subnet: subnet)
        let group = try await ensureTargetGroup(lb, vpc: vpc)
        try await ensureTargets(lb, group: group)
        try await ensureListener(lb, balancer: balancer, group: group)
    }

    /// The load balancer's ARN; its DNS name goes into the state (the cluster's `api.endpoint: auto`).
    func ensureBalancer(_ lb: InfraDesign.LoadBalancerDesign, subnet: String?) async throws -> String? {
        if let found = try await findLoadBalancer(named: lb.name), let arn = found.string("LoadBalancerArn") {
            try await requireOurs(arn, kind: "load balancer", name: lb.name)
            try await adopt(key: "loadBalancer", arn)
            if let dns = found.string("DNSName") {
                try await act {
                    state.loadBalancerDNSName = dns
                    try state.save(directory: directory)
                }
            }
            note(.init(.keep, "load balancer", lb.name, id: arn, detail: "network, internet-facing, \(found.string("DNSName") ?? "")"))
            return arn
        }
        let planned = InfraChange(.create, "load balancer", lb.name, detail: "network, internet-facing, in the subnet")
        return try await act(planned, with: subnet) { subnet in
            let answer = try await elb("CreateLoadBalancer", [("Name", lb.name), ("Type", "network"), ("Scheme", "internet-facing"),
                                                              ("Subnets.member.1", subnet)] + tagParameters(prefix: "Tags.member", role: "loadBalancer"))
            let created = try requiredNode(Self.members(answer, "LoadBalancers").first, "CreateLoadBalancer")
            let arn = try required(created.child("LoadBalancerArn"), "CreateLoadBalancer")
            state.loadBalancerDNSName = created.string("DNSName")
            try record("loadBalancer", arn)
            note(.init(.create, "load balancer", lb.name, id: arn, detail: "network, internet-facing, \(created.string("DNSName") ?? "")"))
            return arn
        }
    }

    /// The target group's ARN: TCP to the API servers' port, targets by IP address.
    func ensureTargetGroup(_ lb: InfraDesign.LoadBalancerDesign, vpc: String?) async throws -> String? {
        if let found = try await findTargetGroup(named: lb.targetGroupName), let arn = found.string("TargetGroupArn") {
            try await requireOurs(arn, kind: "target group", name: lb.targetGroupName)
            try await adopt(key: "targetGroup", arn)
            note(.init(.keep, "target group", lb.targetGroupName, id: arn, detail: "TCP \(lb.targetPort)"))
            return arn
        }
        let planned = InfraChange(.create, "target group", lb.targetGroupName, detail: "TCP \(lb.targetPort), ip targets \(lb.targets.joined(separator: ", "))")
        return try await act(planned, with: vpc) { vpc in
            let answer = try await elb("CreateTargetGroup", [("Name", lb.targetGroupName), ("Protocol", "TCP"), ("Port", String(lb.targetPort)),
                                                             ("VpcId", vpc), ("TargetType", "ip"), ("HealthCheckProtocol", "TCP")]
                                       + tagParameters(prefix: "Tags.member", role: "targetGroup"))
            let arn = try required(Self.members(answer, "TargetGroups").first?.child("TargetGroupArn"), "CreateTargetGroup")
            try record("targetGroup", arn)
            note(.init(.create, "target group", lb.targetGroupName, id: arn, detail: "TCP \(lb.targetPort)"))
            return arn
        }
    }

    /// The controllers registered with the target group, and nothing else.
    func ensureTargets(_ lb: InfraDesign.LoadBalancerDesign, group: String?) async throws {
        guard let group else {
            note(.init(.create, "targets", lb.targets.joined(separator: ", "), detail: "port \(lb.targetPort)"))
            return
        }
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
    }

    /// The listener on the API port, forwarding to the target group.
    func ensureListener(_ lb: InfraDesign.LoadBalancerDesign, balancer: String?, group: String?) async throws {
        let planned = InfraChange(.create, "listener", "TCP \(lb.listenerPort)", detail: "forward to the target group")
        guard let balancer, let group else {
            note(planned)
            return
        }
        let listeners = Self.members(try await elb("DescribeListeners", [("LoadBalancerArn", balancer)]), "Listeners")
        if let listener = listeners.first(where: { $0.string("Port") == String(lb.listenerPort) }), let arn = listener.string("ListenerArn") {
            try await adopt(key: "listener", arn)
            if listener.all("TargetGroupArn").map(\.value).contains(group) {
                note(.init(.keep, "listener", "TCP \(lb.listenerPort)", id: arn, detail: "forward to the target group"))
            } else {
                try await change("listener", "TCP \(lb.listenerPort)", id: arn, detail: "forward to \(lb.targetGroupName)") {
                    try await self.elb("ModifyListener", [("ListenerArn", arn), ("DefaultActions.member.1.Type", "forward"),
                                                          ("DefaultActions.member.1.TargetGroupArn", group)])
                }
            }
            return
        }
        try await act(planned) {
            let answer = try await elb("CreateListener", [("LoadBalancerArn", balancer), ("Protocol", "TCP"), ("Port", String(lb.listenerPort)),
                                                          ("DefaultActions.member.1.Type", "forward"), ("DefaultActions.member.1.TargetGroupArn", group)])
            let arn = try required(Self.members(answer, "Listeners").first?.child("ListenerArn"), "CreateListener")
            try record("listener", arn)
            note(planned.identified(arn))
        }
    }

    /// A load balancer or target group with the cluster's name must carry its tag: hardway never
    /// takes over someone else's.
    func requireOurs(_ arn: String, kind: String, name: String) async throws {
        let tags = try await elbTags(arn)
        guard tags[InfraDesign.clusterTag] == design.cluster else {
            throw InfraError(.foreignResource, "a \(kind) named \(name) exists and is not tagged \(InfraDesign.clusterTag)=\(design.cluster)",
                             fix: "delete or rename that \(kind), or rename the cluster (its name names the \(kind))")
        }
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

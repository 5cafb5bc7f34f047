import AWS

/// The tutorial's pod network routes: each worker's pod CIDR to its instance, in the route table.
extension InfraProvisioner {
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
                try await adopt(key: "route/\(instance.host)", cidr)
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
        try await act {
            for key in state.resources.keys where key.hasPrefix("route/") && !design.instances.contains(where: { "route/\($0.host)" == key && $0.podCIDR != nil }) {
                try record(key, nil)
            }
        }
    }
}

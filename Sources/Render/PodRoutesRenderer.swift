import ClusterModel

/// Routes to every other worker's pod CIDR through that worker's address, on every node, as a
/// oneshot unit so they come back after a reboot. `ip route replace` makes a re-run harmless. The
/// routes carry a protocol number of their own, so each start first flushes the ones an earlier
/// version of the unit added: a worker that left loses its route everywhere.
enum PodRoutesRenderer {
    static let unitName = "hardway-pod-routes"
    /// Unassigned in iproute2's rt_protos; marks the routes this unit owns.
    static let routeProtocol = 213

    static func routes(_ cluster: Cluster, on host: Machine) -> [(cidr: IPv4CIDR, via: IPv4Address)] {
        cluster.workers.compactMap { worker in
            guard worker.name != host.name, let cidr = worker.podCIDR else { return nil }
            return (cidr, worker.address)
        }
    }

    static func add(_ context: ClusterContext, host: Machine, to files: inout FileSet) throws {
        let routes = routes(context.cluster, on: host)
        guard !routes.isEmpty else { return }
        let unit = SystemdUnit(
            description: "routes to the other workers' pod networks (hardway)",
            oneshot: ["-/sbin/ip route flush proto \(routeProtocol)"] + routes.map { "/sbin/ip route replace \($0.cidr) via \($0.via) proto \(routeProtocol)" },
            execStop: ["-/sbin/ip route flush proto \(routeProtocol)"])
        try files.add(NodePaths.unit(unitName), unit.rendered, units: [unitName])
    }
}

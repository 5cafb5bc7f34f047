import ClusterModel

/// Routes to every other worker's pod CIDR through that worker's address, on every node, as a
/// oneshot unit so they come back after a reboot. `ip route replace` makes a re-run harmless. The
/// routes carry a protocol number of their own, so each start first flushes the ones an earlier
/// version of the unit added: a worker that left loses its route everywhere.
enum PodRoutesRenderer {
    static let unitName = "hardway-pod-routes"
    /// Unassigned in iproute2's rt_protos; marks the routes this unit owns.
    static let routeProtocol = 213
    static let flush = "-/sbin/ip route flush proto \(routeProtocol)"

    /// One worker's route as the unit's line that adds it.
    struct Route: Sendable {
        var worker: String
        var add: String
    }

    static func routes(_ cluster: Cluster) -> [Route] {
        cluster.workers.compactMap { worker in
            guard let cidr = worker.podCIDR else { return nil }
            return Route(worker: worker.name, add: "/sbin/ip route replace \(cidr) via \(worker.address) proto \(routeProtocol)")
        }
    }

    static func unit(_ routes: [Route]) -> SystemdUnit {
        SystemdUnit(description: "routes to the other workers' pod networks (hardway)",
                    oneshot: [flush] + routes.map(\.add), execStop: [flush])
    }

    static func add(_ context: ClusterContext, host: Machine, to files: inout FileSet) throws {
        guard let text = context.podRoutes.unit(without: host.name) else { return }
        try files.add(NodePaths.unit(unitName), text, units: [unitName])
    }
}

/// The pod routes unit with every worker's route, rendered once, and where each worker's line sits
/// in it. A node's unit is this text as it is (a host that is no worker) or without the worker's
/// own line: a cluster of a thousand workers has a thousand nodes whose units each hold a thousand
/// routes, and formatting them node by node cost most of a render.
struct PodRoutesUnit: Sendable {
    let text: String
    /// The bytes of each worker's `ExecStart=` line in `text`.
    let lines: [String: Range<Int>]

    init(_ routes: [PodRoutesRenderer.Route]) {
        text = PodRoutesRenderer.unit(routes).rendered
        var starts: [Range<Int>] = []
        let bytes = Array(text.utf8)
        var lineStart = 0
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            let line = bytes[lineStart..<offset]
            if line.starts(with: "ExecStart=".utf8), !line.starts(with: "ExecStart=\(PodRoutesRenderer.flush)".utf8) {
                starts.append(lineStart..<offset + 1)
            }
            lineStart = offset + 1
        }
        precondition(starts.count == routes.count, "the pod routes unit has one ExecStart per route after the flush")
        var lines: [String: Range<Int>] = [:]
        for (index, route) in routes.enumerated() { lines[route.worker] = starts[index] }
        self.lines = lines
    }

    /// The unit of `host`: every route but its own; nil when that leaves none.
    func unit(without host: String) -> String? {
        guard let own = lines[host] else { return lines.isEmpty ? nil : text }
        guard lines.count > 1 else { return nil }
        var text = text
        return text.withUTF8 { bytes in
            // Copied straight into the new string's storage: the unit of a thousand workers is
            // 125 kB, and every node has one.
            let parts = [bytes[..<own.lowerBound], bytes[own.upperBound...]]
            return String(unsafeUninitializedCapacity: parts.reduce(0) { $0 + $1.count }) { buffer in
                var offset = 0
                for part in parts {
                    _ = UnsafeMutableBufferPointer(rebasing: buffer[offset...]).initialize(from: part)
                    offset += part.count
                }
                return offset
            }
        }
    }
}

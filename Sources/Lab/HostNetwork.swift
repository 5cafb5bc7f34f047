import ClusterModel
import Foundation
import Shell

/// What the box already has, read through `ip -j` and /proc: the lab checks it before it creates
/// anything, so a collision is reported instead of half-made.
public enum HostNetwork {
    public struct Link: Sendable, Equatable {
        public var name: String
        public var alias: String?
    }

    public struct Address: Sendable, Equatable {
        public var interface: String
        public var address: IPv4Address
        public var prefixLength: Int
    }

    public struct Route: Sendable, Equatable {
        public var destination: IPv4CIDR
        public var device: String
    }

    static func json(_ arguments: [String]) throws -> [[String: Any]] {
        let result = try Exec.check("ip", ["-j"] + arguments)
        let text = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return [] }
        return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]) ?? []
    }

    public static func links() throws -> [Link] {
        try json(["link", "show"]).compactMap { entry in
            (entry["ifname"] as? String).map { Link(name: $0, alias: entry["ifalias"] as? String) }
        }
    }

    public static func addresses() throws -> [Address] {
        try json(["-4", "addr", "show"]).flatMap { entry -> [Address] in
            let name = entry["ifname"] as? String ?? "?"
            return (entry["addr_info"] as? [[String: Any]] ?? []).compactMap { info in
                guard let local = info["local"] as? String, let address = IPv4Address(local) else { return nil }
                return Address(interface: name, address: address, prefixLength: info["prefixlen"] as? Int ?? 32)
            }
        }
    }

    public static func routes() throws -> [Route] {
        try json(["-4", "route", "show", "table", "all"]).compactMap { entry in
            guard let device = entry["dev"] as? String, let destination = entry["dst"] as? String,
                  destination != "default", (entry["type"] as? String).map({ $0 == "unicast" }) ?? true else { return nil }
            let cidr = destination.contains("/") ? IPv4CIDR(destination) : IPv4CIDR(destination + "/32")
            return cidr.map { Route(destination: $0, device: device) }
        }
    }

    public static func namespaces() -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        return Set(names)
    }
}

import Foundation
import Shell
import Crypto
import ClusterModel
import Remote

/// Every name and address a lab uses on the box, derived from the cluster file alone (pure): the
/// bridge, the box's gateway address on it, and per machine its network namespace, container name
/// and cgroup. Kernel interface names are at most 15 bytes, so long cluster names are shortened
/// with a hash that keeps them apart.
public struct LabPlan: Sendable, Equatable {
    public struct Machine: Sendable, Equatable {
        public var host: String
        public var address: IPv4Address
        /// `ip netns` name: `hw-<cluster>-<host>`.
        public var namespace: String
        /// systemd-nspawn's machine name: `<cluster>-<host>`.
        public var machineName: String
        /// The cgroup (below each hierarchy's root) the machine runs in: `hardway/<cluster>/<host>`.
        public var cgroup: String
        /// eth0's MAC address: locally administered, derived from cluster and host, so a machine made
        /// again answers at the same MAC and no neighbour cache on the bridge goes stale.
        public var mac: String
    }

    public var cluster: String
    public var subnet: IPv4CIDR
    public var bridge: String
    /// The box's own address on the bridge: how the user's shell reaches every machine.
    public var gateway: IPv4Address
    public var machines: [Machine]

    public static let maximumInterfaceName = 15

    public init(cluster: Cluster) throws {
        guard let subnet = cluster.network.nodeCIDR else {
            throw LabError(.missingNodeCIDR, "the lab needs network.nodeCIDR: it is the bridge's subnet",
                           fix: "add `nodeCIDR: 10.240.0.0/24` under network (every host address inside it), as in `hardway init --example lab`")
        }
        guard subnet.prefixLength <= 30, subnet.prefixLength >= 8 else {
            throw LabError(.unusableNodeCIDR, "network.nodeCIDR \(subnet) cannot be a lab bridge's subnet", fix: "use a prefix between /8 and /30, such as /24")
        }
        let outside = cluster.hosts.filter { !subnet.contains($0.address) }
        guard outside.isEmpty else {
            throw LabError(.hostOutsideNodeCIDR, "\(outside.map { "\($0.name) (\($0.address))" }.joined(separator: ", ")) outside network.nodeCIDR \(subnet)",
                           fix: "give every host an address inside \(subnet)")
        }
        var taken = Set(cluster.hosts.map(\.address))
        if case .address(let endpoint) = cluster.api.endpoint { taken.insert(endpoint) }
        guard let gateway = (1..<UInt32(subnet.size - 1)).lazy.compactMap({ subnet.address(at: $0) }).first(where: { !taken.contains($0) }) else {
            throw LabError(.noGatewayAddress, "network.nodeCIDR \(subnet) has no free address for the box's gateway", fix: "use a larger nodeCIDR")
        }
        self.cluster = cluster.name
        self.subnet = subnet
        self.gateway = gateway
        bridge = Self.bridgeName(cluster: cluster.name)
        machines = cluster.hosts.map { host in
            Machine(host: host.name, address: host.address, namespace: "hw-\(cluster.name)-\(host.name)",
                    machineName: String("\(cluster.name)-\(host.name)".prefix(64)), cgroup: "hardway/\(cluster.name)/\(host.name)",
                    mac: Self.macAddress(cluster: cluster.name, host: host.name))
        }
    }

    public func machine(_ host: String) -> Machine? { machines.first { $0.host == host } }

    /// `hw-<cluster>`, or `hw-<first 4>-<hash>` when that would leave no room for a veth's `-NN`.
    static func bridgeName(cluster: String) -> String {
        let plain = "hw-\(cluster)"
        guard plain.utf8.count > maximumInterfaceName - 3 else { return plain }
        let digest = SHA256.hash(data: Data(cluster.utf8)).map { String(format: "%02x", $0) }.joined()
        return "hw-\(cluster.prefix(4))-\(digest.prefix(4))"
    }

    static func macAddress(cluster: String, host: String) -> String {
        var bytes = Array(SHA256.hash(data: Data("hardway lab \(cluster) \(host)".utf8)).prefix(6))
        bytes[0] = (bytes[0] & 0xFC) | 0x02  // unicast, locally administered
        return bytes.map { String(format: "%02x", $0) }.joined(separator: ":")
    }

    /// The box-side end of a machine's veth pair: `<bridge>-<index>`.
    public func vethName(index: Int) -> String { "\(bridge)-\(index)" }

    /// `/etc/hosts` for every machine: each machine's name at its address, so `ping master-1` works.
    public func hostsFile() -> String {
        var lines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback", "",
                     "# the machines of lab \(cluster), written by `hardway lab up`"]
        lines += machines.map { "\($0.address)\t\($0.host)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The ssh config with a `Host` block per machine: `ssh -F <file> master-0` reaches it with the
    /// lab key and strict host-key checking against the cluster's known_hosts.
    public func sshConfig(user: String, port: Int, identityFile: String, knownHosts: String) -> String {
        var lines = ["# written by `hardway lab up` for the machines of lab \(cluster); use it as `ssh -F <this file> HOST`", ""]
        for machine in machines {
            lines += ["Host \(machine.host)",
                      "  HostName \(machine.address)",
                      "  User \(user)",
                      "  Port \(port)",
                      "  IdentityFile \(identityFile)",
                      "  IdentitiesOnly yes",
                      "  UserKnownHostsFile \(knownHosts)",
                      "  StrictHostKeyChecking yes",
                      "  LogLevel ERROR",
                      ""]
        }
        return lines.joined(separator: "\n")
    }

    /// One known_hosts line for a machine: its name and address, and its host key (`type base64`).
    public static func knownHostsLine(host: String, address: IPv4Address, port: Int, publicKey: String) -> String {
        KnownHosts.line(names: [KnownHosts.name(host, port: port), KnownHosts.name(address.description, port: port)], key: publicKey)
    }

    /// `known_hosts` without the lines naming any of `names` (host names or addresses), then `adding`.
    public static func mergeKnownHosts(_ existing: String, removing names: Set<String>, adding lines: [String]) -> String {
        KnownHosts.merged(existing, removing: names, adding: lines)
    }
}

import Foundation
import Shell

/// What `lab up` checks on the box before it makes anything.
extension Lab {

    /// Everything the box already has that this lab would collide with, reported at once and
    /// before anything is made.
    func preflight(creating machines: [LabPlan.Machine]) throws {
        var problems: [String] = []
        let links = try HostNetwork.links()
        let ours = "hardway lab \(cluster.name)"
        if state.bridge == nil, let link = links.first(where: { $0.name == plan.bridge }) {
            problems.append(link.alias == ours
                ? "the bridge \(plan.bridge) of an earlier lab of \(cluster.name) is still on the box (its state file is gone): run `hardway lab down` for it first"
                : "a network interface named \(plan.bridge) already exists on this box (`ip link show \(plan.bridge)`): rename the cluster, or remove that interface")
        }
        let boxAddresses = try HostNetwork.addresses().filter { $0.interface != plan.bridge || state.bridge == nil }
        let wanted = [(plan.gateway, "the box's gateway on the bridge")] + machines.map { ($0.address, $0.host) }
        for (address, owner) in wanted {
            if let used = boxAddresses.first(where: { $0.address == address }) {
                problems.append("\(address) (\(owner)) is already an address of \(used.interface) on this box: choose other addresses in network.nodeCIDR")
            }
        }
        if state.bridge == nil {
            for route in try HostNetwork.routes() where route.device != plan.bridge && route.destination.overlaps(plan.subnet) {
                problems.append("network.nodeCIDR \(plan.subnet) overlaps \(route.destination) on \(route.device) (`ip route`): the box could not tell the lab from that network; choose another nodeCIDR")
            }
        }
        let namespaces = HostNetwork.namespaces()
        for machine in machines where namespaces.contains(machine.namespace) {
            problems.append("the network namespace \(machine.namespace) already exists (`ip netns list`): bring down the lab that made it, or `ip netns del \(machine.namespace)`")
        }
        for machine in machines where FileManager.default.fileExists(atPath: "\(paths.machines)/\(machine.host)/root/etc") {
            problems.append("\(paths.machines)/\(machine.host)/root is in use and not in the state file: run `hardway lab down` first")
        }
        guard problems.isEmpty else {
            throw LabError(.collision, "lab \(cluster.name) cannot start; nothing was changed:\n  - " + problems.joined(separator: "\n  - "),
                           fix: "fix the points above and run `hardway lab up` again")
        }
    }

    /// With br_netfilter on, bridged frames pass iptables' FORWARD chain; a DROP policy there (Docker
    /// sets one) silently cuts the machines off from each other. The lab never edits the box's
    /// firewall, so it says what to run.
    func bridgeFilterWarning() -> String? {
        guard let flag = try? String(contentsOfFile: "/proc/sys/net/bridge/bridge-nf-call-iptables", encoding: .utf8),
              flag.hasPrefix("1"), let rules = try? Exec.run("iptables", ["-S", "FORWARD"]), rules.succeeded,
              rules.stdout.contains("-P FORWARD DROP") else { return nil }
        return "this box filters bridged traffic (br_netfilter) and drops forwarded packets by default: machines cannot reach each other until you run `iptables -I FORWARD -i \(plan.bridge) -o \(plan.bridge) -j ACCEPT`"
    }
}

import Foundation
import Shell

/// The cluster's network on the box: a bridge holding the box's gateway address, and per machine a
/// network namespace whose eth0 is one end of a veth pair on it.
extension Lab {
    /// Creates the bridge with the box's gateway address; false when it was there already.
    func ensureBridge() throws -> Bool {
        if let bridge = state.bridge, try HostNetwork.links().contains(where: { $0.name == bridge }) { return false }
        progress("creating bridge \(plan.bridge) with the box's address \(plan.gateway)/\(plan.subnet.prefixLength)")
        try Exec.check("ip", ["link", "add", plan.bridge, "type", "bridge"])
        try record { $0.bridge = plan.bridge; $0.gateway = plan.gateway.description; $0.subnet = plan.subnet.description }
        try Exec.check("ip", ["link", "set", plan.bridge, "alias", "hardway lab \(cluster.name)"])
        try Exec.check("ip", ["addr", "add", "\(plan.gateway)/\(plan.subnet.prefixLength)", "dev", plan.bridge])
        try Exec.check("ip", ["link", "set", plan.bridge, "up"])
        return true
    }

    func removeBridge() throws {
        if try HostNetwork.links().contains(where: { $0.name == plan.bridge }) {
            try Exec.check("ip", ["link", "del", plan.bridge])
        }
        try record { $0.bridge = nil; $0.gateway = nil }
    }

    /// The machine's namespace, its eth0 one end of a veth pair on the bridge; each piece is recorded
    /// the moment it exists.
    func attachNetwork(_ machine: LabPlan.Machine, record: inout LabState.Machine) throws {
        try Exec.check("ip", ["netns", "add", machine.namespace])
        record.namespace = machine.namespace
        try update(record)
        let veth = try freeVethName()
        try Exec.check("ip", ["link", "add", veth, "type", "veth", "peer", "name", "eth0", "address", machine.mac, "netns", machine.namespace])
        record.veth = veth
        try update(record)
        try Exec.check("ip", ["link", "set", veth, "alias", "hardway lab \(cluster.name) \(machine.host)"])
        try Exec.check("ip", ["link", "set", veth, "master", plan.bridge, "up"])
        let inside = ["-n", machine.namespace]
        try Exec.check("ip", inside + ["addr", "add", "\(machine.address)/\(plan.subnet.prefixLength)", "dev", "eth0"])
        try Exec.check("ip", inside + ["link", "set", "eth0", "up"])
        try Exec.check("ip", inside + ["link", "set", "lo", "up"])
        // A default route on the link itself: Kubernetes components find the node's address from
        // it, and with no router behind it nothing leaves the box.
        try Exec.check("ip", inside + ["route", "add", "default", "dev", "eth0"])
        // Nothing answers the cloud metadata address here: say so at once (the kubelet's AWS credential
        // provider asks it at start and would wait 6 s for an ARP reply that never comes).
        try Exec.check("ip", inside + ["route", "add", "unreachable", "169.254.169.254/32"])
    }

    func freeVethName() throws -> String {
        let taken = Set(try HostNetwork.links().map(\.name))
        for index in 0..<100 where !taken.contains(plan.vethName(index: index)) { return plan.vethName(index: index) }
        throw LabError(.noFreeInterface, "no free interface name \(plan.bridge)-N for another veth", fix: "bring some machines down")
    }
}

import Foundation
import Shell

/// Taking machines apart, finding what a lab made when its state file is gone, and what is left.
extension Lab {
    /// Stops machines (SIGTERM to systemd-nspawn: an orderly shutdown; SIGKILL to what is left
    /// after 20 s) and removes everything recorded for them.
    func dismantle(_ machines: [LabState.Machine]) throws {
        guard !machines.isEmpty else { return }
        // Connections `hardway apply` keeps open to these machines go first.
        _ = parallel(machines, limit: machines.count) { [cluster] machine in SSHControl.close(user: cluster.ssh.user, address: machine.address, port: cluster.ssh.port) }
        for machine in machines where isRunning(machine) {
            if let pid = machine.pid { kill(pid, SIGTERM) }
        }
        _ = Poll.until(timeout: 20, every: 0.1) { machines.contains(where: isRunning) ? nil : true }
        for machine in machines {
            if isRunning(machine), let pid = machine.pid { kill(pid, SIGKILL) }
            for group in machine.cgroups { for pid in Cgroups.processes(in: group) { kill(pid, SIGKILL) } }
        }
        _ = Poll.until(timeout: 5, every: 0.05) {
            machines.contains { $0.cgroups.contains { !Cgroups.processes(in: $0).filter { ProcessTable.isRunning($0, startTime: nil) }.isEmpty } } ? nil : true
        }

        var problems: [String] = []
        let mountPoints = Set(Mounts.mountPoints())
        for var machine in machines {
            // The mount table, not the record, says whether to unmount: an up killed right after
            // `mount` had no time to write it down.
            if let root = machine.root, machine.mounted || mountPoints.contains(root) {
                machine.mounted = true
                var result = try Exec.run("umount", [root])
                if !result.succeeded, Mounts.mountPoints().contains(root) { Poll.sleep(seconds: 0.3); result = try Exec.run("umount", [root]) }
                if !result.succeeded, Mounts.mountPoints().contains(root) { problems.append("unmounting \(root): \(result.tail)") }
                else { machine.mounted = false }
            }
            machine.cgroups = machine.cgroups.filter { !Cgroups.remove($0) }
            if let namespace = machine.namespace {
                if HostNetwork.namespaces().contains(namespace) {
                    let result = try Exec.run("ip", ["netns", "del", namespace])
                    if !result.succeeded { problems.append("deleting namespace \(namespace): \(result.tail)") }
                }
                machine.namespace = nil
            }
            if let veth = machine.veth {
                if try HostNetwork.links().contains(where: { $0.name == veth }) { _ = try Exec.run("ip", ["link", "del", veth]) }
                machine.veth = nil
            }
            if let name = machine.machineName { try? FileManager.default.removeItem(atPath: "/run/systemd/nspawn/propagate/\(name)") }
            if !machine.mounted {
                try? FileManager.default.removeItem(atPath: "\(paths.machines)/\(machine.host)")
                try record { $0[machine.host] = nil }
            } else {
                try update(machine)
            }
        }
        guard problems.isEmpty else {
            throw LabError(.incompleteRemoval, "could not remove everything: " + problems.joined(separator: "; "), fix: "run `hardway lab down` again")
        }
    }

    /// What the lab made, found by its names when the state file is gone.
    func discover() -> LabState {
        var found = LabState(cluster: cluster.name)
        let links = (try? HostNetwork.links()) ?? []
        let namespaces = HostNetwork.namespaces()
        let mounts = Set(Mounts.mountPoints())
        if links.contains(where: { $0.name == plan.bridge && $0.alias == "hardway lab \(cluster.name)" }) { found.bridge = plan.bridge }
        for machine in plan.machines {
            var record = LabState.Machine(host: machine.host, address: machine.address.description)
            record.machineName = machine.machineName
            record.namespace = namespaces.contains(machine.namespace) ? machine.namespace : nil
            record.veth = links.first { $0.alias == "hardway lab \(cluster.name) \(machine.host)" }?.name
            record.root = "\(paths.machines)/\(machine.host)/root"
            record.mounted = mounts.contains(record.root!)
            record.cgroups = Cgroups.hierarchies().map { "\($0)/\(machine.cgroup)" }.filter { FileManager.default.fileExists(atPath: $0) }
            if record.namespace != nil || record.veth != nil || record.mounted || !record.cgroups.isEmpty {
                found.machines.append(record)
            }
        }
        return found
    }

    /// Namespaces, links, mounts and processes of these machines still on the box.
    func leftovers(_ machines: [LabState.Machine]) -> [String] {
        var found: [String] = []
        let namespaces = HostNetwork.namespaces()
        let links = (try? HostNetwork.links()) ?? []
        let mounts = Mounts.mountPoints()
        for machine in plan.machines where namespaces.contains(machine.namespace) { found.append("namespace \(machine.namespace)") }
        for link in links where link.alias == "hardway lab \(cluster.name)" || (link.alias ?? "").hasPrefix("hardway lab \(cluster.name) ") { found.append("link \(link.name)") }
        for mount in mounts where mount.hasPrefix(paths.machines + "/") { found.append("mount \(mount)") }
        for machine in machines where isRunning(machine) { found.append("process \(machine.pid ?? 0) (\(machine.host))") }
        for group in Cgroups.hierarchies().map({ "\($0)/hardway/\(cluster.name)" }) {
            for pid in Cgroups.processes(in: group) where ProcessTable.isRunning(pid, startTime: nil) { found.append("process \(pid) in \(group)") }
        }
        return found
    }
}

import Foundation
import ClusterModel
import Binaries
import Remote

/// etcd on its members: a new cluster's members start together (they wait for each other); a
/// running one changes one member at a time, every member healthy before the next, so quorum holds
/// while certificates, flags or binaries change. A member new to the file joins first.
struct EtcdPhase: ApplyPhase {
    let id = Phase.etcd
    let units = ["etcd"]

    func title(_ cluster: Cluster) -> String { "\(cluster.etcdMembers.count) members, gate: all healthy over mutual TLS" }

    func binaries(for machine: Machine, in cluster: Cluster) -> [BinaryNeed] {
        cluster.etcdMembers.contains { $0.name == machine.name } ? BinaryNeed.named(["etcd", "etcdctl"]) : []
    }

    func run(_ run: ApplyRun) throws -> [HostStep] {
        try run.requireBinaries(for: id)
        let members = run.cluster.etcdMembers
        // A member new to a running etcd joins it first (member add, then started as existing).
        let joined = try run.etcdJoin()
        guard try run.running("etcd", on: members) == members.count else {
            // Members of a new cluster wait for each other: they start together.
            return try run.onHosts(members) { try run.startUnits(self, on: $0, block: false) }
        }
        var steps: [HostStep] = joined
        for member in members where !joined.contains(where: { $0.host == member.name }) {
            let step = try run.startUnits(self, on: member)
            if !step.restarted.isEmpty { try run.etcdGate() }
            steps.append(step)
        }
        return steps
    }

    func gate(_ run: ApplyRun, after steps: [HostStep], since started: Date) throws {
        try run.etcdGate()
    }
}

extension ApplyRun {
    /// Every member healthy over mutual TLS, and the member list the size the cluster file says.
    func etcdGate(phase: Phase = .etcd) throws {
        guard let member = cluster.etcdMembers.first else { return }
        let remote = host(member)
        let etcdctl = NodeCommands.etcdctl(members: cluster)
        let count = cluster.etcdMembers.count
        try gate(phase, host: member.name, every: 0.5,
                 fix: "look at `journalctl -u etcd` on each member (`hardway lab ssh HOST -- journalctl -u etcd -n 30`) and at the logs under the cluster directory") {
            let health = try remote.run("\(etcdctl) endpoint health 2>&1")
            let healthy = health.stdout.split(separator: "\n").filter { $0.contains("is healthy") }.count
            let members = try remote.run("\(etcdctl) member list 2>&1")
            let started = members.stdout.split(separator: "\n").filter { $0.contains(", started, ") }.count
            guard healthy == count, started == count else {
                return "etcd did not become healthy in \(Int(gateTimeout)) s (\(healthy)/\(count) healthy, \(started) started: \(health.tail))"
            }
            return nil
        }
        tell("  etcd: \(count)/\(count) members healthy over mutual TLS")
    }
}

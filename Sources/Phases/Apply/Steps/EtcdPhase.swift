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
            return try run.onHosts(members) { member in
                // Members that are down take an upgrade's binaries at once: none serves to keep.
                try run.installHeld(member, for: id)
                return try run.startUnits(self, on: member, block: false)
            }
        }
        var steps: [HostStep] = joined
        var remaining = members.filter { member in !joined.contains { $0.host == member.name } }
        let upgrading = remaining.contains { run.upgrading($0, in: id) }
        // Members that owe nothing (and run: checked above) are looked at together; only those
        // that restart go one at a time.
        if !upgrading {
            let steady = remaining.filter { member in !run.ledger.owed(member.name).units.contains("etcd") && !run.ledger.owed(member.name).reload }
            steps += try run.onHosts(steady) { try run.startUnits(self, on: $0) }
            remaining.removeAll { member in steady.contains { $0.name == member.name } }
        }
        // An upgrade starts from a healthy etcd (a resumed one: the member it upgraded last is healthy).
        if upgrading { try run.etcdGate() }
        while !remaining.isEmpty {
            // In an upgrade the leader goes last: one election, not one per member.
            var next = 0
            if upgrading, let leader = try? run.etcdLeader(), remaining.count > 1, let index = remaining.firstIndex(where: { $0.name != leader.name }) { next = index }
            let member = remaining.remove(at: next)
            let upgraded = run.upgrading(member, in: id)
            let installed = upgraded ? try run.installHeld(member, for: id) : []
            var step = try run.startUnits(self, on: member)
            step.installed += installed
            if !step.restarted.isEmpty { try run.etcdGate() }
            if upgraded {
                try run.etcdMemberRuns(member, version: run.cluster.etcdVersion)
                run.ranVersions(member, of: id)
            }
            steps.append(step)
        }
        let order = members.map(\.name)
        return steps.sorted { (order.firstIndex(of: $0.host) ?? 0) < (order.firstIndex(of: $1.host) ?? 0) }
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

extension ApplyRun {
    /// Every member's `endpoint status` (over mutual TLS, from the first member).
    func etcdStatus() throws -> [EtcdEndpointStatus] {
        guard let first = cluster.etcdMembers.first else { return [] }
        let result = try host(first).run("\(NodeCommands.etcdctl(members: cluster)) endpoint status -w json 2>/dev/null")
        return EtcdEndpointStatus.parse(result.stdout)
    }

    /// The member etcd's members name as their leader.
    func etcdLeader() throws -> Machine? {
        guard let leader = try etcdStatus().first(where: \.isLeader) else { return nil }
        return cluster.etcdMembers.first { EtcdURL.client($0.address.description) == leader.endpoint }
    }

    /// Gate after a member's upgrade: it reports `version`, and a linearizable (quorum) read
    /// through every member answers.
    func etcdMemberRuns(_ member: Machine, version: String) throws {
        let want = version.hasPrefix("v") ? String(version.dropFirst()) : version
        let endpoint = EtcdURL.client(member.address.description)
        try gate(.etcd, host: member.name, every: 0.5,
                 fix: "look at `journalctl -u etcd -n 30` on \(member.name); the snapshot taken before the upgrade is under <dir>/backups/") {
            let status = try etcdStatus()
            guard let mine = status.first(where: { $0.endpoint == endpoint }) else { return "\(member.name) does not answer endpoint status" }
            guard mine.version == want else { return "\(member.name) reports etcd \(mine.version), not \(want)" }
            let read = try host(member).run("\(NodeCommands.etcdctl(members: cluster)) get --consistency=l --keys-only hardway-upgrade-probe 2>&1")
            return read.succeeded ? nil : "a quorum read failed: \(read.tail)"
        }
        tell("  \(member.name): etcd \(want), quorum read ok")
    }
}

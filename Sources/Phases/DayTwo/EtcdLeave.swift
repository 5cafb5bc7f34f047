import Foundation
import ClusterModel
import Remote

extension ApplyRun {
    /// Every member the file no longer has leaves etcd (at most one, checked before): it runs first
    /// in distribute, before the departed hosts are cleaned and the files change.
    func etcdLeave() throws -> [HostStep] {
        guard let (name, recorded) = EtcdMembership.change(cluster: cluster, record: ledger.current).leaving.first,
              !cluster.etcdMembers.isEmpty else { return [] }
        let staying = cluster.etcdMembers
        let (via, listed) = try memberList(via: staying, phase: .distribute)
        guard let entry = listed.first(where: { $0.peerURLs.contains(EtcdURL.peer(recorded.address)) }) else {
            // Already out of etcd (an earlier run removed it): only its etcd to stop.
            var step = HostStep(host: name, notes: ["no longer an etcd member"])
            try stopLeftMember(name, step: &step)
            return [step]
        }
        let healthy = try healthyCount(via: via, endpoints: staying.map { EtcdURL.client($0.address.description) })
        try requireQuorum(healthy: healthy, sizeAfter: staying.count, change: "removing \(name) from etcd", host: name, phase: .distribute)
        var step = HostStep(host: name)
        try wet(name, "leave etcd: member remove \(entry.id) on \(via.name), then its etcd stopped and its data kept aside; \(staying.count) members stay (\(healthy) healthy)") {
            progress("  \(name): leaving etcd (member \(entry.id)); \(healthy) of the \(staying.count) members that stay are healthy")
            stopLeavingControlPlane(name, recorded: recorded)
            moveLeadership(off: name, entry: entry, listed: listed, staying: staying)
            let removed = try etcdctl(on: host(via), "member remove \(entry.id)")
            guard removed.succeeded else {
                throw PhaseError(.etcdMembership, .distribute, host: via.name, "`etcdctl member remove \(entry.id)` (\(name)) failed: \(removed.tail)",
                                 fix: "look at `hardway check` and `journalctl -u etcd -n 30` on \(via.name), then apply again")
            }
            progress("  \(name): removed from etcd by \(via.name)")
            try etcdGate(phase: .distribute)
            step.notes += ["etcd: \(staying.count) members, all healthy", "left etcd (member remove \(entry.id))"]
        }
        try stopLeftMember(name, step: &step)
        return [step]
    }

    /// A controller leaving with its member stops serving first: no request its API server takes
    /// may meet its etcd gone (the load balancer sends the next ones to the others).
    func stopLeavingControlPlane(_ name: String, recorded: ApplyRecord.RecordedHost) {
        guard recorded.roles.contains("controller"), cluster.host(named: name)?.has(.controller) != true, let leaving = host(named: name),
              let stopped = try? leaving.run("systemctl stop kube-apiserver kube-controller-manager kube-scheduler 2>/dev/null; true"), stopped.succeeded else { return }
        progress("  \(name): its control plane stopped first, so no request it serves meets its etcd gone")
    }

    /// Leadership moves to a member that stays, so the removal costs no election.
    func moveLeadership(off name: String, entry: EtcdMemberEntry, listed: [EtcdMemberEntry], staying: [Machine]) {
        guard let leaving = host(named: name),
              let status = try? leaving.run("\(NodeCommands.etcdctl()) endpoint status 2>/dev/null"), status.succeeded,
              status.stdout.components(separatedBy: ", ").dropFirst(4).first == "true",
              let target = listed.first(where: { listedMember in
                  listedMember.started && listedMember.id != entry.id
                      && staying.contains { listedMember.peerURLs.contains(EtcdURL.peer($0.address.description)) }
              }), let moved = try? leaving.run("\(NodeCommands.etcdctl()) move-leader \(target.id) 2>&1") else { return }
        progress("  \(name): \(moved.succeeded ? "handed etcd's leadership to \(target.name)" : "could not hand off leadership (\(moved.tail)); the removal makes the others elect one")")
    }

    /// A member out of etcd: its etcd stopped and its data directory kept aside (a host added back
    /// later joins with an empty one); the record no longer counts it a member.
    func stopLeftMember(_ name: String, step: inout HostStep) throws {
        if let remote = host(named: name) {
            let script = "systemctl disable --now --quiet etcd 2>/dev/null; if [ -d /var/lib/etcd ]; then mv /var/lib/etcd /var/lib/etcd.removed-$(date -u +%Y%m%dT%H%M%SZ) && echo moved; fi"
            try wet(name, "have its etcd stopped and its data moved to /var/lib/etcd.removed-…") {
                if let run = try? remote.run(script), run.succeeded {
                    let kept = run.stdout.contains("moved") ? "; its data kept in /var/lib/etcd.removed-…" : ""
                    step.notes.append("etcd stopped\(kept)")
                    progress("  \(name): etcd stopped\(kept)")
                } else {
                    step.notes.append("does not answer on ssh: stop etcd there by hand (it is no longer a member and would fail to rejoin)")
                    progress("  \(name): does not answer on ssh; it is out of etcd, but its etcd may still run there")
                }
            }
        }
        ledger.update { $0.hosts?[name]?.etcdMember = false }
    }
}

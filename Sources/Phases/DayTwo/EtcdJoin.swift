import Foundation
import ClusterModel
import Render
import Remote
import Shell

extension ApplyRun {
    /// Before the files change (distribute): a member about to join needs enough healthy members
    /// now for quorum of the size with it, or apply stops before any file is written.
    func etcdJoinPrecheck() throws -> [HostStep] {
        guard let member = EtcdMembership.change(cluster: cluster, record: ledger.current).joining.first else { return [] }
        let existing = cluster.etcdMembers.filter { $0.name != member.name }
        guard !existing.isEmpty else { return [] }
        let (via, listed) = try memberList(via: existing, phase: .distribute)
        let (started, healthy, _) = try joinQuorum(member, via: via, listed: listed, phase: .distribute)
        let note = "joins etcd in the etcd phase: member add on \(via.name), then it starts as existing (\(healthy) of \(started) members healthy now)"
        tell("  \(member.name): \(note)")
        return [HostStep(host: member.name, notes: [note])]
    }

    /// How many started members etcd lists and how many are healthy, and whether `member` is
    /// already added; not added, it may join only if the healthy ones make quorum of the size with it.
    func joinQuorum(_ member: Machine, via: Machine, listed: [EtcdMemberEntry], phase: Phase) throws -> (started: Int, healthy: Int, added: Bool) {
        let started = listed.filter(\.started)
        let healthy = try healthyCount(via: via, endpoints: started.flatMap(\.clientURLs))
        let added = listed.contains { $0.peerURLs.contains(EtcdURL.peer(member.address.description)) }
        if !added {
            try requireQuorum(healthy: healthy, sizeAfter: started.count + 1, change: "adding \(member.name) to etcd", host: member.name, phase: phase)
        }
        return (started.count, healthy, added)
    }

    /// A member the running etcd does not have yet joins it (at most one): `member add` on a member
    /// that runs, its join file, its start, every member healthy. Returns its step, or none.
    func etcdJoin() throws -> [HostStep] {
        guard ledger.current.applied(.etcd) else { return [] }
        var active: [Machine] = []
        for member in cluster.etcdMembers where try host(member).run("systemctl is-active --quiet etcd").succeeded { active.append(member) }
        guard !active.isEmpty else { return [] }
        let (via, listed) = try memberList(via: active, phase: .etcd)
        let joining = cluster.etcdMembers.filter { member in
            !listed.contains { $0.started && $0.peerURLs.contains(EtcdURL.peer(member.address.description)) }
        }
        guard !joining.isEmpty else { return [] }
        guard joining.count == 1, let member = joining.first else {
            throw PhaseError(.refusedChange, .etcd, host: joining[0].name, "\(joining.map(\.name).joined(separator: ", ")) would join the running etcd at once; members join one at a time",
                             fix: "leave all but \(joining[0].name) out of the file, apply, then add the next")
        }
        let peer = EtcdURL.peer(member.address.description)
        let known = Set(cluster.etcdMembers.map { EtcdURL.peer($0.address.description) })
        if let stray = listed.first(where: { !$0.started && !$0.peerURLs.contains(peer) }) {
            throw PhaseError(.etcdMembership, .etcd, host: via.name, "etcd lists a member that never started at \(stray.peerURLs.joined(separator: ",")) (id \(stray.id))\(stray.peerURLs.contains(where: known.contains) ? "" : ", which the file does not have")",
                             fix: "remove it on \(via.name) with `etcdctl member remove \(stray.id)` (see `hardway check`), then apply again")
        }
        let (started, healthy, pending) = try joinQuorum(member, via: via, listed: listed, phase: .etcd)
        var step = HostStep(host: member.name, restarted: ["etcd"])
        try wet(member.name, "join etcd: \(pending ? "" : "member add on \(via.name), ")its data directory cleared, \(EtcdRenderer.joinFile) with the running members and `existing`, etcd started") {
            try join(member, via: via, listed: listed, started: started, healthy: healthy, pending: pending)
            step.notes.append("joined etcd as member \(cluster.etcdMembers.count) (\(EtcdRenderer.joinFile): existing)")
        }
        return [step]
    }

    /// `member add` (unless an earlier run made it), the join file, a clean start, every member healthy.
    func join(_ member: Machine, via: Machine, listed: [EtcdMemberEntry], started: Int, healthy: Int, pending: Bool) throws {
        let peer = EtcdURL.peer(member.address.description)
        var listed = listed
        if !pending {
            var added = try etcdctl(on: host(via), "member add \(member.name) --peer-urls=\(peer)")
            // etcd refuses a member add ("unhealthy cluster") until every member's peer link has been
            // up for 5 s (its strict reconfiguration check): a member just restarted is retried for.
            if !added.succeeded, added.tail.contains("unhealthy cluster") {
                _ = try Poll.until(timeout: 20, every: 1) { () -> Bool? in
                    added = try etcdctl(on: host(via), "member add \(member.name) --peer-urls=\(peer)")
                    return added.succeeded || !added.tail.contains("unhealthy cluster") ? true : nil
                }
            }
            guard added.succeeded else {
                throw PhaseError(.etcdMembership, .etcd, host: via.name, "`etcdctl member add \(member.name)` failed: \(added.tail)",
                                 fix: "look at `hardway check` and `journalctl -u etcd -n 30` on \(via.name), then apply again")
            }
            progress("  \(member.name): added to etcd by \(via.name); \(healthy) of \(started) members healthy")
            listed = try memberList(via: [via], phase: .etcd).members
        } else {
            progress("  \(member.name): already added to etcd, not started yet; starting it")
        }
        // The running cluster's list as etcd has it now, the newcomer under its own name.
        let initialCluster = listed.flatMap { entry in
            entry.peerURLs.map { "\(entry.peerURLs.contains(peer) ? member.name : entry.name)=\($0)" }
        }.joined(separator: ",")
        let remote = host(member)
        let text = EtcdRenderer.environmentFile(initialCluster: initialCluster, state: "existing",
                                                comment: "written by hardway apply when \(member.name) joined the running etcd (member add on \(via.name)); it wins over \(EtcdRenderer.bootstrapFile)")
        try remote.check("systemctl stop etcd 2>/dev/null; if [ -n \"$(ls -A /var/lib/etcd 2>/dev/null)\" ]; then mv /var/lib/etcd /var/lib/etcd.before-join-$(date -u +%Y%m%dT%H%M%SZ); fi; true",
                         step: "clearing etcd's data directory for the join")
        try remote.upload([RemoteFile(path: EtcdRenderer.joinFile, mode: 0o644, contents: Data(text.utf8))])
        let step = try startUnits(ApplyWorkflow.phase(.etcd), on: member, block: false)
        if !step.restarted.contains("etcd") {
            try remote.check("systemctl restart --no-block etcd", step: "starting etcd")
        }
        try etcdGate()
        progress("  \(member.name): joined etcd; \(cluster.etcdMembers.count)/\(cluster.etcdMembers.count) members healthy")
    }
}

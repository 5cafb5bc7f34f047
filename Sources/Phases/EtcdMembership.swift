import Foundation
import ClusterModel
import Render
import Remote
import Shell

/// etcd's membership following the cluster file, one member per apply, each step gated on health:
///
/// - a member leaving (its host gone from the file, or no longer an etcd host): before anything
///   else, leadership moves off it, `member remove` runs on a member that stays, the others are
///   gated healthy, and only then is it stopped, its data directory kept aside;
/// - a member joining a running etcd: after its files are in place, `member add` on a member that
///   stays, `/etc/etcd/join.env` with the running cluster's list and `existing` on it, its start,
///   and every member gated healthy; the API servers' `--etcd-servers` follow in the control plane
///   phase, one controller at a time.
///
/// apply refuses, before touching a host, more than one change at once, and any change after which
/// fewer members would be healthy than quorum needs.
/// A line of `etcdctl member list`: `id, started, name, peer URLs, client URLs, is learner` (an
/// added member that has not started yet has no name).
public struct EtcdMemberEntry: Equatable, Sendable {
    public var id: String
    public var started: Bool
    public var name: String
    public var peerURLs: [String]
    public var clientURLs: [String]

    /// The members in etcdctl's simple output; other lines (warnings, JSON logs) are skipped.
    public static func parse(_ text: String) -> [EtcdMemberEntry] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.components(separatedBy: ", ").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 5, !fields[0].isEmpty, fields[0].allSatisfy(\.isHexDigit),
                  fields[1] == "started" || fields[1] == "unstarted" else { return nil }
            func urls(_ text: String) -> [String] { text.split(separator: ",").map(String.init) }
            return EtcdMemberEntry(id: fields[0], started: fields[1] == "started", name: fields[2], peerURLs: urls(fields[3]), clientURLs: urls(fields[4]))
        }
    }
}

extension Applier {
    /// The endpoints `etcdctl endpoint health` calls healthy.
    public static func healthyEndpoints(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: " is healthy") else { return nil }
            return String(line[..<range.lowerBound])
        })
    }

    /// The smallest number of healthy members a cluster of `size` serves with.
    public static func quorum(_ size: Int) -> Int { size / 2 + 1 }

    static func peerURL(_ address: String) -> String { "https://\(address):2380" }
    static func clientURL(_ address: String) -> String { "https://\(address):2379" }

    /// What the file changes in etcd's membership since the last apply: members to join, and the
    /// hosts (as recorded) of members to leave.
    func etcdMembershipChange(_ record: ApplyRecord) -> (joining: [Machine], leaving: [(name: String, host: ApplyRecord.RecordedHost)]) {
        Self.etcdMembershipChange(cluster: cluster, record: record)
    }

    public static func etcdMembershipChange(cluster: Cluster, record: ApplyRecord) -> (joining: [Machine], leaving: [(name: String, host: ApplyRecord.RecordedHost)]) {
        guard record.applied(.etcd), let hosts = record.hosts, !hosts.isEmpty else { return ([], []) }
        let joining = cluster.etcdMembers.filter { hosts[$0.name]?.etcdMember != true }
        let members = Set(cluster.etcdMembers.map(\.name))
        let leaving = hosts.filter { $0.value.etcdMember && !members.contains($0.key) }.sorted { $0.key < $1.key }.map { (name: $0.key, host: $0.value) }
        return (joining, leaving)
    }

    /// Before any host is touched: one member changes at a time, and a member keeps its address.
    public static func checkEtcdMembershipChange(cluster: Cluster, record: ApplyRecord) throws {
        let (joining, leaving) = etcdMembershipChange(cluster: cluster, record: record)
        if joining.count + leaving.count > 1 {
            let parts = (joining.isEmpty ? [] : ["adding \(joining.map(\.name).joined(separator: ", "))"])
                + (leaving.isEmpty ? [] : ["removing \(leaving.map(\.name).joined(separator: ", "))"])
            let first = leaving.first.map { "first take \($0.name) out of the file and apply (it leaves etcd)" }
                ?? "first add \(joining[0].name) alone and apply (it joins etcd)"
            throw PhaseError(.connect, host: (leaving.first?.name ?? joining.first?.name),
                             "etcd's membership would change by \(joining.count + leaving.count) members at once (\(parts.joined(separator: "; "))); apply changes it one member at a time, each step gated on health, so quorum holds",
                             fix: "\(first); then make the next change and apply again, one member per apply")
        }
        for member in cluster.etcdMembers {
            guard let recorded = record.hosts?[member.name], recorded.etcdMember, recorded.address != member.address.description else { continue }
            throw PhaseError(.connect, host: member.name, "its address would change from \(recorded.address) to \(member.address), but etcd knows the member by its peer URL \(Self.peerURL(recorded.address))",
                             fix: "move it in two steps: take \(member.name) out of the file and apply (it leaves etcd), then add it with its new address and apply (it joins)")
        }
    }

    /// etcdctl on `machine` against `endpoints`.
    func etcdctl(on machine: any RemoteHost, endpoints: [String], _ arguments: String) throws -> ExecResult {
        try machine.run("\(NodeCommands.etcdctl(endpoints: endpoints.joined(separator: ","))) \(arguments) 2>&1")
    }

    /// The first of `members` whose etcd answers `member list`, with that list.
    func memberList(via members: [Machine], phase: Phase) throws -> (via: Machine, members: [EtcdMemberEntry]) {
        var last = "no member to ask"
        for member in members {
            let run = try etcdctl(on: host(member), endpoints: ["https://127.0.0.1:2379"], "member list")
            if run.succeeded { return (member, EtcdMemberEntry.parse(run.stdout)) }
            last = "\(member.name): \(run.tail)"
        }
        throw PhaseError(phase, host: members.first?.name, "no etcd member answers `member list` (\(last))",
                         fix: "look at `journalctl -u etcd -n 30` on the members and `hardway check`; start the members that stopped, then apply again")
    }

    /// Whether quorum holds through the change: the members that stay must be enough healthy ones
    /// for the cluster's size after it.
    func requireQuorum(healthy: Int, sizeAfter: Int, change: String, host: String, phase: Phase) throws {
        let needed = Self.quorum(sizeAfter)
        guard healthy < needed else { return }
        throw PhaseError(phase, host: host, "\(change) would leave \(sizeAfter) member\(sizeAfter == 1 ? "" : "s") with \(healthy) healthy, short of the \(needed) that quorum needs",
                         fix: "bring the stopped members back first (`hardway check` names them; `journalctl -u etcd -n 30` there), then apply again")
    }

    // MARK: leaving

    /// Every member the file no longer has leaves etcd (at most one, checked before): it runs first
    /// in distribute, before the departed hosts are cleaned and the files change.
    func etcdLeave(dryRun: Bool) throws -> [HostStep] {
        let record = ApplyRecord.load(recordPath)
        let (_, leaving) = etcdMembershipChange(record)
        guard let (name, recorded) = leaving.first, !cluster.etcdMembers.isEmpty else { return [] }
        let staying = cluster.etcdMembers
        let (via, listed) = try memberList(via: staying, phase: .distribute)
        let peer = Self.peerURL(recorded.address)
        guard let entry = listed.first(where: { $0.peerURLs.contains(peer) }) else {
            // Already out of etcd (an earlier run removed it): only its etcd to stop.
            return [try stopLeftMember(name, dryRun: dryRun, note: "no longer an etcd member")]
        }
        let health = try etcdctl(on: host(via), endpoints: staying.map { Self.clientURL($0.address.description) }, "endpoint health")
        let healthy = Self.healthyEndpoints(health.stdout).count
        try requireQuorum(healthy: healthy, sizeAfter: staying.count, change: "removing \(name) from etcd", host: name, phase: .distribute)
        if dryRun {
            return [HostStep(host: name, notes: ["leaves etcd: member remove \(entry.id) on \(via.name), then its etcd stopped and its data kept aside; \(staying.count) members stay (\(healthy) healthy)"])]
        }
        progress("  \(name): leaving etcd (member \(entry.id)); \(healthy) of the \(staying.count) members that stay are healthy")
        // A controller leaving with it stops serving first: no request its API server takes may meet
        // its etcd gone (the load balancer sends the next ones to the others).
        if recorded.roles.contains("controller"), cluster.host(named: name)?.has(.controller) != true,
           let leaving = hosts[name] ?? departedHosts[name],
           let stopped = try? leaving.run("systemctl stop kube-apiserver kube-controller-manager kube-scheduler 2>/dev/null; true"), stopped.succeeded {
            progress("  \(name): its control plane stopped first, so no request it serves meets its etcd gone")
        }
        // Leadership first moves to a member that stays, so the removal costs no election.
        if let leaving = hosts[name] ?? departedHosts[name],
           let status = try? leaving.run("\(NodeCommands.etcdctl(endpoints: "https://127.0.0.1:2379")) endpoint status 2>/dev/null"), status.succeeded,
           status.stdout.components(separatedBy: ", ").dropFirst(4).first == "true",
           let target = listed.first(where: { listedMember in
               listedMember.started && listedMember.id != entry.id
                   && staying.contains { listedMember.peerURLs.contains(Self.peerURL($0.address.description)) }
           }) {
            let moved = try leaving.run("\(NodeCommands.etcdctl(endpoints: "https://127.0.0.1:2379")) move-leader \(target.id) 2>&1")
            progress("  \(name): \(moved.succeeded ? "handed etcd's leadership to \(target.name)" : "could not hand off leadership (\(moved.tail)); the removal makes the others elect one")")
        }
        let removed = try etcdctl(on: host(via), endpoints: ["https://127.0.0.1:2379"], "member remove \(entry.id)")
        guard removed.succeeded else {
            throw PhaseError(.distribute, host: via.name, "`etcdctl member remove \(entry.id)` (\(name)) failed: \(removed.tail)",
                             fix: "look at `hardway check` and `journalctl -u etcd -n 30` on \(via.name), then apply again")
        }
        progress("  \(name): removed from etcd by \(via.name)")
        try etcdGate(phase: .distribute)
        var step = try stopLeftMember(name, dryRun: false, note: "left etcd (member remove \(entry.id))")
        step.notes.insert("etcd: \(staying.count) members, all healthy", at: 0)
        return [step]
    }

    /// A member out of etcd: its etcd stopped and its data directory kept aside (a host added back
    /// later joins with an empty one); the record no longer counts it a member.
    func stopLeftMember(_ name: String, dryRun: Bool, note: String) throws -> HostStep {
        var step = HostStep(host: name, notes: [note])
        guard !dryRun else { return step }
        if let remote = hosts[name] ?? departedHosts[name] {
            let script = "systemctl disable --now --quiet etcd 2>/dev/null; if [ -d /var/lib/etcd ]; then mv /var/lib/etcd /var/lib/etcd.removed-$(date -u +%Y%m%dT%H%M%SZ) && echo moved; fi"
            if let run = try? remote.run(script), run.succeeded {
                let kept = run.stdout.contains("moved") ? "; its data kept in /var/lib/etcd.removed-…" : ""
                step.notes.append("etcd stopped\(kept)")
                progress("  \(name): etcd stopped\(kept)")
            } else {
                step.notes.append("does not answer on ssh: stop etcd there by hand (it is no longer a member and would fail to rejoin)")
                progress("  \(name): does not answer on ssh; it is out of etcd, but its etcd may still run there")
            }
        }
        saveRecord { $0.hosts?[name]?.etcdMember = false }
        return step
    }

    // MARK: joining

    /// Before the files change (distribute): a member about to join needs enough healthy members
    /// for the cluster's size with it, or apply stops here.
    func etcdJoinPrecheck(dryRun: Bool) throws -> [HostStep] {
        let (joining, _) = etcdMembershipChange(ApplyRecord.load(recordPath))
        guard let member = joining.first else { return [] }
        let existing = cluster.etcdMembers.filter { $0.name != member.name }
        guard !existing.isEmpty else { return [] }
        let (via, listed) = try memberList(via: existing, phase: .distribute)
        let (started, healthy, _) = try joinQuorum(member, via: via, listed: listed, phase: .distribute)
        let note = "joins etcd in the etcd phase: member add on \(via.name), then it starts as existing (\(healthy) of \(started) members healthy now)"
        if !dryRun { progress("  \(member.name): \(note)") }
        return [HostStep(host: member.name, notes: [note])]
    }

    /// How many started members etcd lists and how many are healthy, and whether `member` is
    /// already added; not added, it may join only if the healthy ones make quorum of the size with it.
    func joinQuorum(_ member: Machine, via: Machine, listed: [EtcdMemberEntry], phase: Phase) throws -> (started: Int, healthy: Int, added: Bool) {
        let started = listed.filter(\.started)
        let health = try etcdctl(on: host(via), endpoints: started.flatMap(\.clientURLs), "endpoint health")
        let healthy = Self.healthyEndpoints(health.stdout).count
        let added = listed.contains { $0.peerURLs.contains(Self.peerURL(member.address.description)) }
        if !added {
            try requireQuorum(healthy: healthy, sizeAfter: started.count + 1, change: "adding \(member.name) to etcd", host: member.name, phase: phase)
        }
        return (started.count, healthy, added)
    }

    /// A member the running etcd does not have yet joins it (at most one): `member add` on a member
    /// that runs, its join file, its start, every member healthy. Returns its step, or none.
    func etcdJoin() throws -> [HostStep] {
        guard ApplyRecord.load(recordPath).applied(.etcd) else { return [] }
        var active: [Machine] = []
        for member in cluster.etcdMembers where try host(member).run("systemctl is-active --quiet etcd").succeeded { active.append(member) }
        guard !active.isEmpty else { return [] }
        var (via, listed) = try memberList(via: active, phase: .etcd)
        let joining = cluster.etcdMembers.filter { member in
            !listed.contains { $0.started && $0.peerURLs.contains(Self.peerURL(member.address.description)) }
        }
        guard !joining.isEmpty else { return [] }
        guard joining.count == 1, let member = joining.first else {
            throw PhaseError(.etcd, host: joining[0].name, "\(joining.map(\.name).joined(separator: ", ")) would join the running etcd at once; members join one at a time",
                             fix: "leave all but \(joining[0].name) out of the file, apply, then add the next")
        }
        let peer = Self.peerURL(member.address.description)
        let known = Set(cluster.etcdMembers.map { Self.peerURL($0.address.description) })
        if let stray = listed.first(where: { !$0.started && !$0.peerURLs.contains(peer) }) {
            throw PhaseError(.etcd, host: via.name, "etcd lists a member that never started at \(stray.peerURLs.joined(separator: ",")) (id \(stray.id))\(stray.peerURLs.contains(where: known.contains) ? "" : ", which the file does not have")",
                             fix: "remove it on \(via.name) with `etcdctl member remove \(stray.id)` (see `hardway check`), then apply again")
        }
        let (started, healthy, pending) = try joinQuorum(member, via: via, listed: listed, phase: .etcd)
        if !pending {
            let added = try etcdctl(on: host(via), endpoints: ["https://127.0.0.1:2379"], "member add \(member.name) --peer-urls=\(peer)")
            guard added.succeeded else {
                throw PhaseError(.etcd, host: via.name, "`etcdctl member add \(member.name)` failed: \(added.tail)",
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
        var step = try startUnits(.etcd, on: member, block: false)
        if !step.restarted.contains("etcd") {
            try remote.check("systemctl restart --no-block etcd", step: "starting etcd")
            step.restarted.append("etcd")
        }
        try etcdGate()
        step.notes.append("joined etcd as member \(cluster.etcdMembers.count) (\(EtcdRenderer.joinFile): existing)")
        progress("  \(member.name): joined etcd; \(cluster.etcdMembers.count)/\(cluster.etcdMembers.count) members healthy")
        return [step]
    }
}

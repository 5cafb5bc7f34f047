import Foundation
import ClusterModel
import Remote
import Shell

/// etcd's membership following the cluster file, one member per apply, each step gated on health:
///
/// - a member leaving (its host gone from the file, or no longer an etcd host): before anything
///   else, leadership moves off it, `member remove` runs on a member that stays, the others are
///   gated healthy, and only then is it stopped, its data directory kept aside (EtcdLeave.swift);
/// - a member joining a running etcd: after its files are in place, `member add` on a member that
///   stays, `/etc/etcd/join.env` with the running cluster's list and `existing` on it, its start,
///   and every member gated healthy; the API servers' `--etcd-servers` follow in the control plane
///   phase, one controller at a time (EtcdJoin.swift).
///
/// apply refuses, before touching a host, more than one change at once, and any change after which
/// fewer members would be healthy than quorum needs.
public enum EtcdMembership {
    /// The endpoints `etcdctl endpoint health` calls healthy.
    public static func healthyEndpoints(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: " is healthy") else { return nil }
            return String(line[..<range.lowerBound])
        })
    }

    /// The smallest number of healthy members a cluster of `size` serves with.
    public static func quorum(_ size: Int) -> Int { size / 2 + 1 }

    /// What the file changes in etcd's membership since the last apply: members to join, and the
    /// hosts (as recorded) of members to leave.
    public static func change(cluster: Cluster, record: ApplyRecord) -> (joining: [Machine], leaving: [(name: String, host: ApplyRecord.RecordedHost)]) {
        guard record.applied(.etcd), let hosts = record.hosts, !hosts.isEmpty else { return ([], []) }
        let joining = cluster.etcdMembers.filter { hosts[$0.name]?.etcdMember != true }
        let members = Set(cluster.etcdMembers.map(\.name))
        let leaving = hosts.filter { $0.value.etcdMember && !members.contains($0.key) }.sorted { $0.key < $1.key }.map { (name: $0.key, host: $0.value) }
        return (joining, leaving)
    }

    /// Before any host is touched: one member changes at a time, and a member keeps its address.
    public static func checkChange(cluster: Cluster, record: ApplyRecord) throws {
        let (joining, leaving) = change(cluster: cluster, record: record)
        if joining.count + leaving.count > 1 {
            let parts = (joining.isEmpty ? [] : ["adding \(joining.map(\.name).joined(separator: ", "))"])
                + (leaving.isEmpty ? [] : ["removing \(leaving.map(\.name).joined(separator: ", "))"])
            let first = leaving.first.map { "first take \($0.name) out of the file and apply (it leaves etcd)" }
                ?? "first add \(joining[0].name) alone and apply (it joins etcd)"
            throw PhaseError(.refusedChange, .connect, host: (leaving.first?.name ?? joining.first?.name),
                             "etcd's membership would change by \(joining.count + leaving.count) members at once (\(parts.joined(separator: "; "))); apply changes it one member at a time, each step gated on health, so quorum holds",
                             fix: "\(first); then make the next change and apply again, one member per apply")
        }
        for member in cluster.etcdMembers {
            guard let recorded = record.hosts?[member.name], recorded.etcdMember, recorded.address != member.address.description else { continue }
            throw PhaseError(.refusedChange, .connect, host: member.name, "its address would change from \(recorded.address) to \(member.address), but etcd knows the member by its peer URL \(EtcdURL.peer(recorded.address))",
                             fix: "move it in two steps: take \(member.name) out of the file and apply (it leaves etcd), then add it with its new address and apply (it joins)")
        }
    }
}

extension ApplyRun {
    /// etcdctl on `machine` against `endpoints` (the member on the machine itself by default).
    func etcdctl(on machine: any RemoteHost, endpoints: [String] = [NodeCommands.localEtcd], _ arguments: String) throws -> ExecResult {
        try machine.run("\(NodeCommands.etcdctl(endpoints: endpoints.joined(separator: ","))) \(arguments) 2>&1")
    }

    /// The first of `members` whose etcd answers `member list`, with that list.
    func memberList(via members: [Machine], phase: Phase) throws -> (via: Machine, members: [EtcdMemberEntry]) {
        var last = "no member to ask"
        for member in members {
            let run = try etcdctl(on: host(member), "member list")
            if run.succeeded { return (member, EtcdMemberEntry.parse(run.stdout)) }
            last = "\(member.name): \(run.tail)"
        }
        throw PhaseError(.etcdQuorum, phase, host: members.first?.name, "no etcd member answers `member list` (\(last))",
                         fix: "look at `journalctl -u etcd -n 30` on the members and `hardway check`; start the members that stopped, then apply again")
    }

    /// Whether quorum holds through the change: the members that stay must be enough healthy ones
    /// for the cluster's size after it.
    func requireQuorum(healthy: Int, sizeAfter: Int, change: String, host: String, phase: Phase) throws {
        let needed = EtcdMembership.quorum(sizeAfter)
        guard healthy < needed else { return }
        throw PhaseError(.etcdQuorum, phase, host: host, "\(change) would leave \(sizeAfter) member\(sizeAfter == 1 ? "" : "s") with \(healthy) healthy, short of the \(needed) that quorum needs",
                         fix: "bring the stopped members back first (`hardway check` names them; `journalctl -u etcd -n 30` there), then apply again")
    }

    /// How many healthy members answer among `endpoints`, asked on `via`.
    func healthyCount(via: Machine, endpoints: [String]) throws -> Int {
        EtcdMembership.healthyEndpoints(try etcdctl(on: host(via), endpoints: endpoints, "endpoint health").stdout).count
    }
}

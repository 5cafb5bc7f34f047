import Foundation
import ClusterModel
import Remote
import Shell

/// `drill etcd`: one member stops while objects are written through the endpoint; the writes must
/// go on, the others must answer, and the member must catch up once started again.
extension Drill {
    /// A member that does not lead (etcdctl's status of every member), so the default drill does not
    /// also test an election; `--host` picks any.
    func etcdFollower() -> Machine? {
        let statuses = etcdStatuses(from: host(cluster.etcdMembers[0]))
        return cluster.etcdMembers.last { statuses[$0.name].map { !$0.leader } ?? false }
    }

    struct EtcdStatus { var leader: Bool; var revision: Int64; var raftIndex: Int64 }

    func etcdStatuses(from host: any RemoteHost) -> [String: EtcdStatus] {
        let json = (try? host.run("\(NodeCommands.etcdctl(members: cluster)) endpoint status -w json 2>/dev/null"))?.stdout ?? ""
        guard let list = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] else { return [:] }
        var result: [String: EtcdStatus] = [:]
        for entry in list {
            guard let endpoint = entry["Endpoint"] as? String, let status = entry["Status"] as? [String: Any],
                  let member = cluster.etcdMembers.first(where: { endpoint.contains("//\($0.address):") }) else { continue }
            let header = status["header"] as? [String: Any] ?? [:]
            let id = (header["member_id"] as? NSNumber)?.uint64Value ?? 0
            result[member.name] = EtcdStatus(leader: (status["leader"] as? NSNumber)?.uint64Value == id,
                                             revision: (header["revision"] as? NSNumber)?.int64Value ?? 0,
                                             raftIndex: (status["raftIndex"] as? NSNumber)?.int64Value ?? 0)
        }
        return result
    }

    func etcd(_ machine: Machine) throws -> [Figure] {
        guard cluster.etcdMembers.count >= 3 else {
            throw DrillError(.wouldBreakCluster, "etcd has \(cluster.etcdMembers.count) member\(cluster.etcdMembers.count == 1 ? "" : "s"): stopping one loses the quorum",
                             fix: "use 3 etcd members to drill one")
        }
        let remote = host(machine)
        let witness = host(cluster.etcdMembers.first { $0.name != machine.name }!)
        let loop = try RequestLoop(cluster: cluster, pki: pki, writes: true)
        loop.start()
        progress("drill etcd: writing objects through \(cluster.api.url ?? "the endpoint") from this box; stopping etcd on \(machine.name)")
        defer {
            loop.stop()
            _ = try? remote.run("systemctl start etcd")
            _ = try? api.run("\(Self.kubectl) -n default delete configmap -l \(RequestLoop.label) --wait=false")
        }
        Poll.sleep(seconds: 2)
        let stopping = Date()
        try remote.check("systemctl stop etcd", step: "stopping etcd")
        let stopped = Date()
        Poll.sleep(seconds: 15)
        let during = loop.counts
        let healthy = etcdStatuses(from: witness).count
        progress("drill etcd: starting etcd on \(machine.name) again")
        try remote.check("systemctl start etcd", step: "starting etcd")
        let restarted = Date()
        let caughtUp = Poll.seconds(since: restarted, timeout: 60, every: 0.5) {
            let statuses = etcdStatuses(from: witness)
            guard let mine = statuses[machine.name], let leader = statuses.values.first(where: \.leader) else { return false }
            return mine.revision >= leader.revision - 5
        }
        Poll.sleep(seconds: 2)
        loop.stop()
        let counts = loop.counts
        let late = loop.failures(outside: stopping...stopped.addingTimeInterval(5))
        return [
            // A write in flight to the member at the moment it stops can fail (the API server's etcd
            // client does not retry a write that may have been applied); after that, none may.
            Figure(name: "writes through the endpoint", value: "\(counts.total) sent, \(counts.failed) failed (\(counts.failed - late) as \(machine.name) stopped), \(during.total) while \(machine.name) was down (\(Int(restarted.timeIntervalSince(stopped))) s)" + (counts.lastError.map { " (last: \($0))" } ?? ""),
                   ok: late == 0 && during.total > 0),
            Figure(name: "members answering while down", value: "\(healthy)/\(cluster.etcdMembers.count)", ok: healthy == cluster.etcdMembers.count - 1),
            Figure(name: "member caught up", value: caughtUp.map { String(format: "%@ at the leader's revision %.1f s after the start", machine.name, $0) } ?? "\(machine.name) not caught up after 60 s",
                   ok: caughtUp != nil),
        ]
    }
}

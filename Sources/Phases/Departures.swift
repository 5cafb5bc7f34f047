import Foundation
import ClusterModel
import Remote

/// Hosts that left the cluster file since the last apply. A worker is cordoned, drained and its
/// Node deleted; then, when it still answers, its units are stopped and its files removed. The
/// other nodes lose their routes to it when the network phase restarts their pod-routes unit,
/// which flushes the routes it added before adding the current ones.
extension Applier {
    /// Before any host is touched: a worker whose pod CIDR would move under its running pods (pod
    /// CIDRs are given in the file's order, so one leaving moves the ones after it), and an etcd
    /// membership change apply does not make in one step (see EtcdMembership), stop the run.
    func checkDepartures() throws {
        let applied = ApplyRecord.load(recordPath)
        let record = applied.hosts ?? [:]
        try Self.checkEtcdMembershipChange(cluster: cluster, record: applied)
        for worker in cluster.workers {
            guard let before = record[worker.name]?.podCIDR, let now = worker.podCIDR?.description, before != now else { continue }
            throw PhaseError(.connect, host: worker.name,
                             "its pod CIDR would move from \(before) to \(now) (the file gives pod CIDRs in host order, and a worker before it changed), taking the addresses from under its pods",
                             fix: "pin it: add `podCIDR: \(before)` to \(worker.name) in the cluster file, then render and apply again")
        }
    }

    /// Drains, deletes and cleans every host that left; returns what it did, per host.
    func depart(dryRun: Bool) throws -> [HostStep] {
        let record = ApplyRecord.load(recordPath)
        let departed = (record.hosts ?? [:]).filter { cluster.host(named: $0.key) == nil }.sorted { $0.key < $1.key }
        var steps: [HostStep] = []
        for (name, recorded) in departed {
            var step = HostStep(host: name)
            if dryRun {
                step.notes.append("left the cluster file: \(recorded.roles.contains("worker") ? "drained, its Node deleted, " : "")its units stopped and files removed")
                steps.append(step)
                continue
            }
            if recorded.roles.contains("worker"), record.applied(.controlPlane), let first = firstController {
                let api = host(first)
                if try api.run("\(Self.kubectl) get node \(name) -o name").succeeded {
                    progress("  \(name): left the cluster file; cordoning and draining it")
                    try api.check("\(Self.kubectl) cordon \(name) && \(Self.kubectl) drain \(name) --ignore-daemonsets --delete-emptydir-data --force --timeout=120s",
                                  step: "draining \(name)")
                    try api.check("\(Self.kubectl) delete node \(name)", step: "deleting the Node \(name)")
                    step.notes.append("drained; Node deleted")
                    progress("  \(name): drained; its Node deleted")
                }
            }
            let files = record.files?[name] ?? []
            if let remote = departedHosts[name], !files.isEmpty {
                let units = files.filter { $0.hasPrefix("/etc/systemd/system/") && $0.hasSuffix(".service") }.map { ($0 as NSString).lastPathComponent }
                let script = units.map { "systemctl disable --now --quiet \($0) 2>/dev/null || true" }
                    + ["rm -f " + files.map(shellQuote).joined(separator: " "), "systemctl daemon-reload"]
                if let result = try? remote.run(script.joined(separator: "; ")), result.succeeded {
                    step.removed = files
                    step.notes.append("stopped \(units.joined(separator: ", ")); removed \(files.count) files")
                    progress("  \(name): stopped \(units.joined(separator: ", ")) and removed the \(files.count) files apply gave it")
                } else {
                    step.notes.append("does not answer on ssh: its units could not be stopped there")
                    progress("  \(name): does not answer on ssh; its Node is gone, but whatever runs there still runs")
                }
            }
            saveRecord { record in
                record.hosts?[name] = nil
                record.files?[name] = nil
            }
            steps.append(step)
        }
        return steps
    }
}

import Foundation
import ClusterModel
import Remote
import Shell

/// Hosts that left the cluster file since the last apply. A worker is cordoned, drained and its
/// Node deleted; then, when it still answers, its units are stopped and its files removed. The
/// other nodes lose their routes to it when the network phase restarts their pod-routes unit,
/// which flushes the routes it added before adding the current ones.
public enum Departures {
    /// Before any host is touched: a worker whose pod CIDR would move under its running pods (pod
    /// CIDRs are given in the file's order, so one leaving moves the ones after it), and an etcd
    /// membership change apply does not make in one step (see EtcdMembership), stop the run.
    public static func check(cluster: Cluster, record: ApplyRecord) throws {
        try EtcdMembership.checkChange(cluster: cluster, record: record)
        for worker in cluster.workers {
            guard let before = record.hosts?[worker.name]?.podCIDR, let now = worker.podCIDR?.description, before != now else { continue }
            throw PhaseError(.refusedChange, .connect, host: worker.name,
                             "its pod CIDR would move from \(before) to \(now) (the file gives pod CIDRs in host order, and a worker before it changed), taking the addresses from under its pods",
                             fix: "pin it: add `podCIDR: \(before)` to \(worker.name) in the cluster file, then render and apply again")
        }
    }

    /// The hosts an earlier apply recorded that the file no longer has, by name.
    public static func departed(cluster: Cluster, record: ApplyRecord) -> [(name: String, host: ApplyRecord.RecordedHost)] {
        (record.hosts ?? [:]).filter { cluster.host(named: $0.key) == nil }.sorted { $0.key < $1.key }.map { (name: $0.key, host: $0.value) }
    }
}

extension ApplyRun {
    /// Drains, deletes and cleans every host that left; returns what it did, per host.
    func depart() throws -> [HostStep] {
        let record = ledger.current
        var steps: [HostStep] = []
        for (name, recorded) in Departures.departed(cluster: cluster, record: record) {
            var step = HostStep(host: name)
            if recorded.roles.contains("worker"), record.applied(.controlPlane), let first = firstController {
                let api = host(first)
                if try api.run("\(NodeCommands.kubectl) get node \(shellQuote(name)) -o name").succeeded {
                    try wet(name, "be drained and its Node deleted") {
                        progress("  \(name): left the cluster file; cordoning and draining it")
                        try api.check("\(NodeCommands.kubectl) cordon \(shellQuote(name)) && \(NodeCommands.kubectl) drain \(shellQuote(name)) --ignore-daemonsets --delete-emptydir-data --force --timeout=120s",
                                      step: "draining \(name)", timeout: 200)
                        try api.check("\(NodeCommands.kubectl) delete node \(shellQuote(name))", step: "deleting the Node \(name)")
                        progress("  \(name): drained; its Node deleted")
                    }
                    step.notes.append("drained; Node deleted")
                }
            }
            let files = record.files?[name] ?? []
            if let remote = departedHosts[name], !files.isEmpty {
                let (script, units) = Self.removalScript(files)
                step.removed = files
                try wet(name, "have \(units.joined(separator: ", ")) stopped and its \(files.count) files removed") {
                    if let result = try? remote.run(script), result.succeeded {
                        step.notes.append("stopped \(units.joined(separator: ", ")); removed \(files.count) files")
                        progress("  \(name): stopped \(units.joined(separator: ", ")) and removed the \(files.count) files apply gave it")
                    } else {
                        step.removed = []
                        step.notes.append("does not answer on ssh: its units could not be stopped there")
                        progress("  \(name): does not answer on ssh; its Node is gone, but whatever runs there still runs")
                    }
                }
            }
            ledger.update { record in
                record.hosts?[name] = nil
                record.files?[name] = nil
                record.versions?[name] = nil
            }
            steps.append(step)
        }
        return steps
    }
}

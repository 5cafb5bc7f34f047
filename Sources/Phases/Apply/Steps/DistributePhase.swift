import Foundation
import ClusterModel
import Render
import Remote

/// Every node's rendered files whose sha256, mode or owner differ, in one upload per host; the
/// units that read a changed file are owed a restart (in their phase). Before any file changes, the
/// day-two moves that must come first: a member leaving etcd leaves, one joining is checked for
/// quorum, departed hosts are drained and cleaned, and a running etcd moving to a new CA is rolled.
struct DistributePhase: ApplyPhase {
    let id = Phase.distribute

    func title(_ cluster: Cluster) -> String { "node files whose sha256 differs" }

    func run(_ run: ApplyRun) throws -> [HostStep] {
        // A member leaving etcd leaves before its host is cleaned or any file changes; one joining is
        // checked for quorum now and joins in the etcd phase. A running etcd moving to a new CA is
        // rolled first: written all at once, its files would split it.
        let membership = try run.etcdLeave() + run.etcdJoinPrecheck()
        let departed = try run.depart()
        let rolled = try run.etcdTrustRoll()
        let written = try run.onHosts(run.cluster.hosts) { try distribute($0, run) }
        return HostStep.merge(HostStep.merge(written, rolled), membership) + departed
    }

    func distribute(_ machine: Machine, _ run: ApplyRun) throws -> HostStep {
        var step = HostStep(host: machine.name)
        guard let bundle = run.rendered.node(machine.name) else { return step }
        let remote = run.host(machine)
        // Files an upgraded component reads wait, with its binaries, for the host's turn in the roll.
        let (changed, held) = run.holdingBack(try run.differing(bundle.files, on: remote), on: machine)
        if !held.isEmpty {
            run.upgrade.hold(machine.name, files: held)
            step.notes.append("held for its turn in the upgrade: \(held.map(\.path).joined(separator: ", "))")
        }
        step.written = changed.map(\.path)
        step.removed = try removeStale(machine, keeping: Set(bundle.files.map(\.path)), run)
        run.ledger.update { $0.hosts = ($0.hosts ?? [:]).merging([machine.name: ApplyRecord.RecordedHost(machine, in: run.cluster)]) { $1 } }
        guard !changed.isEmpty else { return step }
        // Owed before the upload starts: a run cut during it restarts these units next time, though
        // by then the files may already match.
        run.ledger.owe(machine.name, units: changed.flatMap(\.units), reload: changed.contains { $0.path.hasPrefix("/etc/systemd/system/") })
        try run.wet(machine.name, "write \(changed.count) of \(bundle.files.count) files") {
            try remote.upload(changed.map(RemoteFile.init))
            run.rememberWritten(remote, Dictionary(changed.map { ($0.path, $0.sha256) }) { $1 })
            run.progress("  \(machine.name): wrote \(changed.count) of \(bundle.files.count) files")
        }
        run.ledger.update { $0.files = ($0.files ?? [:]).merging([machine.name: bundle.files.map(\.path).sorted()]) { $1 } }
        return step
    }

    /// Files the last apply put on the host that are rendered for it no more (it lost a role, a
    /// worker left): units among them are stopped and disabled, then the files go.
    func removeStale(_ machine: Machine, keeping: Set<String>, _ run: ApplyRun) throws -> [String] {
        let previous = run.ledger.current.files?[machine.name] ?? []
        let stale = previous.filter { !keeping.contains($0) }
        guard !stale.isEmpty else { return stale }
        let (script, units) = ApplyRun.removalScript(stale)
        try run.wet(machine.name, "remove \(stale.count) files no longer rendered for it") {
            try run.host(machine).check(script, step: "removing files no longer rendered")
            run.progress("  \(machine.name): removed \(stale.count) file\(stale.count == 1 ? "" : "s") no longer rendered for it\(units.isEmpty ? "" : " (stopped \(units.joined(separator: ", ")))")")
        }
        run.ledger.update { $0.files?[machine.name] = Array(keeping).sorted() }
        return stale
    }
}

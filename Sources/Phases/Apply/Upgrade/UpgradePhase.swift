import Foundation
import ClusterModel

/// Before anything is written: the versions the file asks for against what each host runs. No
/// change: nothing happens here. An upgrade: refused (a skipped minor, a downgrade, a kubelet
/// newer than its API servers, a cluster `check` finds unhealthy) before any host is touched, or
/// begun with an etcd snapshot under `<dir>/backups/`; the binaries phase then holds the new
/// binaries back, and etcd, the control plane and the workers each install theirs one host at a
/// time, gated, in that order.
struct UpgradePhase: ApplyPhase {
    let id = Phase.upgrade

    func title(_ cluster: Cluster) -> String { "the file's versions against each host's; an upgrade goes one member and one node at a time" }

    func run(_ run: ApplyRun) throws -> [HostStep] {
        let current = try currentVersions(run)
        let targets = UpgradeRules.targets(run.cluster)
        let plan = UpgradePlan(changes: UpgradeRules.changes(current: current, targets: targets))
        run.upgrade.set(plan)
        guard !plan.isEmpty else { return [] }
        if let refusal = UpgradeRules.refusals(current: current, targets: targets).first {
            throw PhaseError(.upgradeRefused, id, refusal.message, fix: refusal.fix)
        }
        let record = run.ledger.current
        let resuming = record.upgradeSnapshot.map { $0.upgrade == plan.summary } ?? false
        try healthy(run, resuming: resuming)
        let leader = try? run.etcdLeader()
        let etcdNow = current.values.compactMap { $0["etcd"] }.sorted().first ?? run.cluster.etcdVersion
        let snapshot = resuming ? record.upgradeSnapshot!.file
            : "\(run.directory)/backups/\(run.cluster.name)-etcd-\(etcdNow)-before-upgrade-\(EtcdSnapshot.stamp(Date())).db"
        let steps = plan.steps(cluster: run.cluster, snapshot: snapshot, etcdLeader: leader?.name, maxUnavailable: run.maxUnavailable, drainTimeout: run.drainTimeout)
        for (index, step) in steps.enumerated() { run.tell("  \(index + 1). \(step)") }
        if resuming {
            run.tell("  resuming the upgrade begun \(ISO8601DateFormatter().string(from: record.upgradeSnapshot!.taken)); its snapshot is \(snapshot)")
        } else {
            try run.wet("-", "save an etcd snapshot to \(snapshot)") {
                let saved = try EtcdSnapshot(cluster: run.cluster, hosts: run.live.hosts, progress: run.live.progress).save(to: snapshot)
                run.ledger.update { $0.upgradeSnapshot = ApplyRecord.UpgradeSnapshot(upgrade: plan.summary, file: saved.file, taken: Date()) }
                run.progress("  etcd snapshot saved: \(saved.file) (revision \(saved.status.revision), \(saved.status.totalKey) keys)")
            }
        }
        var hostSteps = run.cluster.hosts.compactMap { machine -> HostStep? in
            let changes = plan.changes(on: machine.name)
            guard !changes.isEmpty else { return nil }
            return HostStep(host: machine.name, notes: changes.map { "upgrade \($0.component) \($0.from) → \($0.to)" })
        }
        hostSteps.append(HostStep(host: Self.orderHost, notes: steps))
        return hostSteps
    }

    /// The host name of the step that carries the upgrade's ordered steps (`plan` prints them).
    static let orderHost = "upgrade"

    /// Host → component → version: what apply recorded; for a host set up before versions were
    /// recorded, what its processes say. Only the components each host runs in the file now.
    func currentVersions(_ run: ApplyRun) throws -> [String: [String: String]] {
        let record = run.ledger.current
        var current = (record.versions ?? [:]).filter { run.cluster.host(named: $0.key) != nil }
        let unread = run.cluster.hosts.filter { record.hosts?[$0.name] != nil && current[$0.name] == nil }
        if !unread.isEmpty {
            let readings = try run.onHosts(unread) { machine -> [String: String] in
                let units = RunningVersions.components(for: machine, cluster: run.cluster).map(\.unit)
                guard !units.isEmpty else { return [:] }
                return RunningVersions.parse(try run.host(machine).run(RunningVersions.script(units: units)).stdout)
            }
            for (machine, versions) in zip(unread, readings) where !versions.isEmpty { current[machine.name] = versions }
        }
        var result: [String: [String: String]] = [:]
        for (host, versions) in current {
            guard let machine = run.cluster.host(named: host) else { continue }
            let runs = Set(UpgradeRules.components(of: machine, in: run.cluster))
            let kept = versions.filter { runs.contains($0.key) }
            if !kept.isEmpty { result[host] = kept }
        }
        return result
    }

    /// `hardway check`'s rows (but the versions, which an upgrade changes) must all pass before an
    /// upgrade starts; a resumed one continues from a cluster its own first steps changed.
    func healthy(_ run: ApplyRun, resuming: Bool) throws {
        let failed = Checker(live: run.live, record: run.ledger.current).run().filter { $0.state == .failed && $0.area != "versions" }
        guard !failed.isEmpty else {
            run.tell("  the cluster is healthy (hardway check)")
            return
        }
        throw PhaseError(.upgradeRefused, id, "the cluster is not healthy, so no upgrade \(resuming ? "continues" : "starts"): "
                         + failed.map { "\($0.area) \($0.subject): \($0.detail)" }.joined(separator: "; "),
                         fix: "`hardway check -f <cluster file>` names each; fix those, then apply again")
    }
}

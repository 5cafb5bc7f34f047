import Foundation
import ClusterModel
import Remote

/// What this run upgrades, and the binaries the binaries phase held back for it: each host's new
/// etcd, control-plane or worker binaries go on only when its turn in the roll comes.
final class UpgradeState: @unchecked Sendable {
    struct Held: Sendable, Equatable {
        var local: String
        var destination: String
        var sha256: String
        var component: String
        var unit: String?
    }

    private let lock = NSLock()
    private var plan = UpgradePlan()
    private var held: [String: [Held]] = [:]

    func set(_ plan: UpgradePlan) { lock.withLock { self.plan = plan } }
    var current: UpgradePlan { lock.withLock { plan } }

    func hold(_ host: String, _ binary: Held) { lock.withLock { held[host, default: []].append(binary) } }

    /// The held binaries of `components` on `host`, taken (a second call returns none).
    func take(_ host: String, components: Set<String>) -> [Held] {
        lock.withLock {
            let mine = (held[host] ?? []).filter { components.contains($0.component) }
            held[host] = (held[host] ?? []).filter { !components.contains($0.component) }
            return mine
        }
    }

    func holds(_ host: String, components: Set<String>) -> Bool {
        lock.withLock { (held[host] ?? []).contains { components.contains($0.component) } }
    }
}

extension ApplyRun {
    /// The cluster's directory (where applied.json lives).
    var directory: String { (ledger.path as NSString).deletingLastPathComponent }

    /// Whether `machine` has new binaries of `phase`'s components waiting for its turn.
    func upgrading(_ machine: Machine, in phase: Phase) -> Bool {
        upgrade.holds(machine.name, components: UpgradePlan.components[phase] ?? [])
    }

    /// Installs the binaries held back for `machine`'s `phase` components and owes their units a
    /// restart: the moment its turn in the roll comes. Returns the installed paths.
    @discardableResult
    func installHeld(_ machine: Machine, for phase: Phase) throws -> [String] {
        let held = upgrade.take(machine.name, components: UpgradePlan.components[phase] ?? [])
        guard !held.isEmpty else { return [] }
        let remote = host(machine)
        let names = held.map { ($0.destination as NSString).lastPathComponent }.joined(separator: ", ")
        // Owed before the upload starts (planning: only in this run's memory, so the plan shows the restarts).
        ledger.owe(machine.name, units: held.compactMap(\.unit))
        try wet(machine.name, "install \(names) (its turn in the upgrade)") {
            try remote.upload(held.map { RemoteFile(path: $0.destination, mode: 0o755, localFile: $0.local) })
            rememberWritten(remote, Dictionary(held.map { ($0.destination, $0.sha256) }) { $1 })
            progress("  \(machine.name): installed \(names)")
        }
        return held.map(\.destination)
    }

    /// Records that `machine` now runs the file's versions of `phase`'s components.
    func ranVersions(_ machine: Machine, of phase: Phase) {
        guard !planning else { return }
        let owned = UpgradePlan.components[phase] ?? []
        let wanted = UpgradeRules.wanted(for: machine, in: cluster).filter { owned.contains($0.key) }
        ledger.ran(machine.name, wanted)
    }
}

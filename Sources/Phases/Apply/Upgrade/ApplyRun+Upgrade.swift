import Foundation
import ClusterModel
import Render
import Remote

/// What this run upgrades, and what the distribute and binaries phases held back for it: each host's
/// new etcd, control-plane or worker binaries, and the changed files their units read (a release's
/// new flags), go on only when its turn in the roll comes — a unit restarted before then (a crash, a
/// reboot) starts the old binary on the old files.
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
    private var heldFiles: [String: [RenderedFile]] = [:]

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

    func hold(_ host: String, files: [RenderedFile]) { lock.withLock { heldFiles[host, default: []] += files } }

    /// The held files on `host` that a unit of `units` reads, taken (a second call returns none).
    func takeFiles(_ host: String, units: Set<String>) -> [RenderedFile] {
        lock.withLock {
            let (mine, rest) = (heldFiles[host] ?? []).reduce(into: ([RenderedFile](), [RenderedFile]())) { split, file in
                if units.isDisjoint(with: file.units) { split.1.append(file) } else { split.0.append(file) }
            }
            heldFiles[host] = rest
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

    /// The changed files of `machine` that wait for its turn in the upgrade: those a unit of a
    /// component this run upgrades there reads (the components are named as their units are).
    func holdingBack(_ changed: [RenderedFile], on machine: Machine) -> (now: [RenderedFile], held: [RenderedFile]) {
        let upgraded = Set(upgrade.current.changes(on: machine.name).map(\.component))
        guard !upgraded.isEmpty else { return (changed, []) }
        let held = changed.filter { !upgraded.isDisjoint(with: $0.units) }
        return (changed.filter { upgraded.isDisjoint(with: $0.units) }, held)
    }

    /// Installs the binaries and files held back for `machine`'s `phase` components, in one upload,
    /// and owes their units a restart: the moment its turn in the roll comes. Returns the paths.
    @discardableResult
    func installHeld(_ machine: Machine, for phase: Phase) throws -> [String] {
        let components = UpgradePlan.components[phase] ?? []
        let held = upgrade.take(machine.name, components: components)
        let files = upgrade.takeFiles(machine.name, units: components)
        guard !held.isEmpty || !files.isEmpty else { return [] }
        let remote = host(machine)
        let names = (held.map(\.destination) + files.map(\.path)).map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
        // Owed before the upload starts (planning: only in this run's memory, so the plan shows the restarts).
        ledger.owe(machine.name, units: held.compactMap(\.unit) + files.flatMap(\.units), reload: files.contains { $0.path.hasPrefix("/etc/systemd/system/") })
        try wet(machine.name, "install \(names) (its turn in the upgrade)") {
            try remote.upload(held.map { RemoteFile(path: $0.destination, mode: 0o755, localFile: $0.local) } + files.map(RemoteFile.init))
            rememberWritten(remote, Dictionary(held.map { ($0.destination, $0.sha256) } + files.map { ($0.path, $0.sha256) }) { $1 })
            progress("  \(machine.name): installed \(names)")
        }
        return held.map(\.destination) + files.map(\.path)
    }

    /// Records that `machine` now runs the file's versions of `phase`'s components.
    func ranVersions(_ machine: Machine, of phase: Phase) {
        guard !planning else { return }
        let owned = UpgradePlan.components[phase] ?? []
        let wanted = UpgradeRules.wanted(for: machine, in: cluster).filter { owned.contains($0.key) }
        ledger.ran(machine.name, wanted)
    }
}

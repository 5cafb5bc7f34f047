import Foundation
import Shell

/// The one owner of `applied.json` during an apply: what the last runs did (phases, the files and
/// hosts they gave), and what this run still owes — restarts of units whose files or binaries
/// changed, and systemd reloads after unit files changed. Every change is saved at once, so a run
/// cut anywhere leaves the next one the debts it must pay. Planning, it saves nothing: the record
/// stays as the last apply left it. Two applies of one cluster never write it at once: an apply
/// holds `applied.json.lock` for its whole run.
final class ApplyLedger: @unchecked Sendable {
    let path: String
    /// False when planning.
    let writes: Bool
    private let lock = NSLock()
    private var record: ApplyRecord
    private var owed: [String: Set<String>] = [:]
    private var reloads: Set<String> = []
    private let runLock: ExclusiveLock?
    private let warn: @Sendable (String) -> Void
    private var warned = false

    init(path: String, writes: Bool, warn: @escaping @Sendable (String) -> Void = { _ in }, waiting: () -> Void = {}) throws {
        self.path = path
        self.writes = writes
        self.warn = warn
        runLock = writes ? try ExclusiveLock(path + ".lock", waiting: waiting) : nil
        record = try ApplyRecord.load(path)
        // Restarts and reloads an earlier, interrupted apply owed.
        for (host, units) in record.pendingRestarts ?? [:] { owed[host, default: []].formUnion(units) }
        reloads.formUnion(record.pendingReloads ?? [])
    }

    /// The record as it stands now.
    var current: ApplyRecord {
        lock.lock()
        defer { lock.unlock() }
        return record
    }

    /// Changes the record and saves it with the debts as they stand.
    func update(_ change: (inout ApplyRecord) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        guard writes else { return }
        change(&record)
        saveLocked()
    }

    /// A phase finished.
    func finished(_ phase: Phase, at time: Date = Date()) {
        update { $0.phases[phase.rawValue] = time }
    }

    /// Units of a host that must restart (their files or binaries changed), and whether its unit
    /// files changed (systemd must reload them first).
    func owe(_ host: String, units: [String], reload: Bool = false) {
        guard !units.isEmpty || reload else { return }
        lock.lock()
        defer { lock.unlock() }
        owed[host, default: []].formUnion(units)
        if reload { reloads.insert(host) }
        if writes { saveLocked() }
    }

    /// A unit restarted (or a reload done): no longer owed.
    func settled(_ host: String, unit: String? = nil, reloaded: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        if let unit { owed[host]?.remove(unit) }
        if reloaded { reloads.remove(host) }
        if writes { saveLocked() }
    }

    /// Components that now run `version` on `host` (component → version).
    func ran(_ host: String, _ versions: [String: String]) {
        guard !versions.isEmpty, current.versions?[host].map({ recorded in versions.allSatisfy { recorded[$0.key] == $0.value } }) != true else { return }
        update { record in
            var recorded = record.versions ?? [:]
            recorded[host, default: [:]].merge(versions) { $1 }
            record.versions = recorded
        }
    }

    /// The stamps and sha256 apply last read of the host's files.
    func stamps(_ host: String) -> [String: ApplyRecord.FileStamp] {
        lock.lock()
        defer { lock.unlock() }
        return record.stamps?[host] ?? [:]
    }

    /// Stamps read now: kept in memory, saved with the next change (a lost one costs one more read).
    func remember(_ host: String, stamps: [String: ApplyRecord.FileStamp]) {
        guard !stamps.isEmpty else { return }
        lock.lock()
        defer { lock.unlock() }
        record.stamps = record.stamps ?? [:]
        record.stamps?[host, default: [:]].merge(stamps) { $1 }
    }

    /// This box's files hashed this run, remembered for the next.
    func rememberLocal(_ stamps: [String: ApplyRecord.FileStamp]) {
        guard !stamps.isEmpty else { return }
        lock.lock()
        defer { lock.unlock() }
        record.localStamps = (record.localStamps ?? [:]).merging(stamps) { $1 }
    }

    /// What a host owes now.
    func owed(_ host: String) -> (units: Set<String>, reload: Bool) {
        lock.lock()
        defer { lock.unlock() }
        return (owed[host] ?? [], reloads.contains(host))
    }

    /// Saves the record; a record that cannot be written is said once, and the run goes on (what it
    /// would have recorded is still owed in memory, and the next save tries again).
    private func saveLocked() {
        let pending = owed.filter { !$0.value.isEmpty }.mapValues { $0.sorted() }
        record.pendingRestarts = pending.isEmpty ? nil : pending
        record.pendingReloads = reloads.isEmpty ? nil : reloads.sorted()
        do {
            try record.save(path)
        } catch {
            if !warned { warn("warning: \(error)") }
            warned = true
        }
    }
}

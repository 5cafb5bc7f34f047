import Foundation
import ClusterModel
import Render
import Remote
import Shell

/// One apply (or plan) under way: what every phase works with — the live cluster, the rendered
/// files, the binaries found, the ledger of what is owed — and the one place that decides whether a
/// change is made or only planned (`wet`).
final class ApplyRun: LiveClusterWork, Sendable {
    let live: LiveCluster
    let rendered: RenderOutput
    let binaries: ResolvedBinaries
    let ledger: ApplyLedger
    /// The phases of this run (`--until` cuts them short): a phase prepares only for those that run.
    let phases: [Phase]
    let departedHosts: [String: any RemoteHost]
    let gateTimeout: TimeInterval
    let planning: Bool
    /// Workers upgraded at once (`--max-unavailable`), and how long each drain may take.
    let maxUnavailable: Int
    let drainTimeout: Int
    /// What this run upgrades, and the binaries held back for each host's turn.
    let upgrade = UpgradeState()
    private let planned = PlannedChanges()
    private let ahead = StartedAhead()

    init(live: LiveCluster, rendered: RenderOutput, binaries: ResolvedBinaries, ledger: ApplyLedger, phases: [Phase],
         departedHosts: [String: any RemoteHost], gateTimeout: TimeInterval, planning: Bool, maxUnavailable: Int = 1, drainTimeout: Int = 120) {
        self.live = live
        self.rendered = rendered
        self.binaries = binaries
        self.ledger = ledger
        self.phases = phases
        self.departedHosts = departedHosts
        self.gateTimeout = gateTimeout
        self.planning = planning
        self.maxUnavailable = max(1, maxUnavailable)
        self.drainTimeout = drainTimeout
    }

    /// The one place that decides (k0sctl's `Wet`): applying, `change` runs; planning, it does not,
    /// and `what` is recorded for `host` as something apply would do. Every change a phase makes
    /// to a host — a file written, a unit restarted, a member added, a gate waited on — goes
    /// through here, so `plan` runs the very same phases.
    func wet(_ host: String, _ what: @autoclosure () -> String?, _ change: () throws -> Void) rethrows {
        guard planning else { return try change() }
        if let what = what() { planned.add(host, what) }
    }

    /// A progress line about a change made; planning, none was, so nothing is said.
    func tell(_ text: String) {
        wet("-", nil) { progress(text) }
    }

    /// The phase's steps with what it would have done added to each host's notes (planning only).
    func withPlannedChanges(_ steps: [HostStep]) -> [HostStep] {
        let changes = planned.take()
        guard !changes.isEmpty else { return steps }
        var steps = steps
        for (host, notes) in changes.sorted(by: { $0.key < $1.key }) {
            if let index = steps.firstIndex(where: { $0.host == host }) {
                steps[index].notes += notes.map { "would \($0)" }
            } else {
                steps.append(HostStep(host: host, notes: notes.map { "would \($0)" }))
            }
        }
        return steps
    }

    /// Units a phase started ahead for a later one (the workers' while the API servers first come
    /// up), and when: the later phase reports them as its own.
    func startedAhead(_ step: HostStep, at time: Date) { ahead.add(step, at: time) }
    func startedAhead(on host: String) -> (units: [String], at: Date)? { ahead.started(on: host) }

    /// A host of the cluster file, or one that left it (reached by its old address).
    func host(named name: String) -> (any RemoteHost)? { hosts[name] ?? departedHosts[name] }

    /// The phase's binaries must all be there; a missing one stops it (planning: is noted as where
    /// apply would stop), named, with how to supply it.
    func requireBinaries(for phase: Phase) throws {
        guard let error = binaries.missing(for: phase, cluster: cluster) else { return }
        try wet("-", "stop: \(error.message)") { throw error }
    }

    /// Polls `probe` every `interval` until it returns nil (healthy) or the gate's time is up; the
    /// last problem it described is the error. Planning, no gate is waited on.
    func gate(_ phase: Phase, host: String, timeout: TimeInterval? = nil, every interval: TimeInterval = 1, fix: String,
              _ probe: () throws -> String?) throws {
        try wet(host, "wait for \(phase.rawValue)'s health") {
            guard let problem = try Poll.problem(timeout: timeout ?? gateTimeout, every: interval, probe) else { return }
            throw PhaseError(.gateTimedOut, phase, host: host, problem, fix: fix)
        }
    }
}

/// What a plan's phases would have done, per host, until the phase's report takes them.
private final class PlannedChanges: @unchecked Sendable {
    private let lock = NSLock()
    private var changes: [String: [String]] = [:]

    func add(_ host: String, _ what: String) {
        lock.lock()
        changes[host, default: []].append(what)
        lock.unlock()
    }

    func take() -> [String: [String]] {
        lock.lock()
        defer { changes = [:]; lock.unlock() }
        return changes
    }
}

/// What was started ahead, per host (ApplyRun.startedAhead).
private final class StartedAhead: @unchecked Sendable {
    private let lock = NSLock()
    private var started: [String: (units: [String], at: Date)] = [:]

    func add(_ step: HostStep, at time: Date) {
        guard !step.restarted.isEmpty else { return }
        lock.withLock { started[step.host] = (step.restarted, time) }
    }

    func started(on host: String) -> (units: [String], at: Date)? { lock.withLock { started[host] } }
}

import Foundation
import ClusterModel
import Render
import Remote
import Binaries

/// Runs `ApplyWorkflow`'s phases on the cluster's hosts: files and binaries only where their sha256
/// differs, units restarted only when a file they read changed (or they are not running), every
/// phase gated on real health before the next starts. `plan` is the same run that changes nothing.
public final class Applier: Sendable {
    public let live: LiveCluster
    public let rendered: RenderOutput
    public let binaryResolver: BinaryResolver
    public let recordPath: String
    /// How long a gate waits for health before the phase fails.
    public let gateTimeout: TimeInterval
    /// Hosts an earlier apply set up that the cluster file no longer has, reachable by their old
    /// addresses: apply stops their units and removes their files (see Departures).
    public let departedHosts: [String: any RemoteHost]
    /// Workers an upgrade takes out at once (cordoned and drained), and how long a drain may take.
    public let maxUnavailable: Int
    public let drainTimeout: Int

    public init(cluster: Cluster, rendered: RenderOutput, hosts: [String: any RemoteHost], binaries: BinaryResolver,
                recordPath: String, departedHosts: [String: any RemoteHost] = [:], gateTimeout: TimeInterval = 90,
                parallelism: Int = 10, maxUnavailable: Int = 1, drainTimeout: Int = 120, progress: @escaping @Sendable (String) -> Void) {
        self.live = LiveCluster(cluster: cluster, hosts: hosts, parallelism: parallelism, progress: progress)
        self.rendered = rendered
        self.binaryResolver = binaries
        self.recordPath = recordPath
        self.departedHosts = departedHosts
        self.gateTimeout = gateTimeout
        self.maxUnavailable = maxUnavailable
        self.drainTimeout = drainTimeout
    }

    public var cluster: Cluster { live.cluster }

    /// Runs every phase through `until`; with `dryRun` (`plan`), the same phases run, reading what
    /// the hosts have, and record what they would change instead of changing it.
    public func apply(until: Phase?, dryRun: Bool = false) throws -> ApplyReport {
        let started = Date()
        let workflow = ApplyWorkflow.through(until)
        let ledger = try ApplyLedger(path: recordPath, writes: !dryRun, warn: live.progress) {
            live.progress("another hardway apply of this cluster is running (it holds \(recordPath).lock); waiting for it to finish")
        }
        // Changes apply makes one at a time, and pod CIDRs that would move, stop the run here.
        try Departures.check(cluster: cluster, record: ledger.current)
        // Every binary found (downloaded when allowed) and its version checked before any host is
        // touched: a wrong version stops the run here, not halfway.
        let digests = LocalDigests(known: ledger.current.localStamps ?? [:])
        let binaries = try ResolvedBinaries.resolve(cluster: cluster, phases: workflow.map(\.id), resolver: binaryResolver,
                                                    download: !dryRun, digests: digests, progress: live.progress)
        ledger.rememberLocal(digests.fresh)
        let run = ApplyRun(live: live, rendered: rendered, binaries: binaries, ledger: ledger, phases: workflow.map(\.id),
                           departedHosts: departedHosts, gateTimeout: gateTimeout, planning: dryRun,
                           maxUnavailable: maxUnavailable, drainTimeout: drainTimeout)
        var reports: [PhaseReport] = []
        for (index, phase) in workflow.enumerated() {
            let phaseStarted = Date()
            live.progress("\(Self.bar(index, of: workflow.count)) \(phase.id.rawValue): \(phase.title(cluster))")
            var steps = try phase.run(run)
            try run.wet("-", "wait for the gate of \(phase.id.rawValue)") { try phase.gate(run, after: steps, since: phaseStarted) }
            steps = run.withPlannedChanges(steps)
            let seconds = Date().timeIntervalSince(phaseStarted)
            reports.append(PhaseReport(phase: phase.id.rawValue, seconds: seconds, hosts: steps))
            if !dryRun {
                // Every host of a rolling phase now runs the file's versions of its components.
                if let owned = UpgradePlan.components[phase.id] {
                    for machine in cluster.hosts where !Set(UpgradeRules.components(of: machine, in: cluster)).isDisjoint(with: owned) {
                        run.ranVersions(machine, of: phase.id)
                    }
                }
                ledger.finished(phase.id)
                live.progress(String(format: "%@: done in %.1f s", phase.id.rawValue, seconds))
            }
        }
        return ApplyReport(phases: reports, seconds: Date().timeIntervalSince(started), dryRun: dryRun)
    }

    /// `[ 6/12 ▰▰▰▰▰▱▱▱▱▱▱▱]`: where the whole apply stands, at the start of each phase.
    static func bar(_ index: Int, of count: Int) -> String {
        let done = String(repeating: "▰", count: index)
        let left = String(repeating: "▱", count: max(0, count - index))
        return String(format: "[%2d/%d ", index + 1, count) + done + left + "]"
    }
}

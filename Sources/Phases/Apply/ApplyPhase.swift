import Foundation
import ClusterModel
import Binaries

/// One step of apply, all in one place: its id (for `--until` and `applied.json`), the title its
/// progress line shows, the units it starts, the binaries it needs on a host, its body and the gate
/// the next phase waits on. The phases are values of `ApplyWorkflow`'s list, each in a file of its
/// own under Apply/Steps.
///
/// A body makes every change through `ApplyRun.wet`, so `plan` runs the same bodies and records
/// what each would change; gates are skipped when planning.
protocol ApplyPhase: Sendable {
    var id: Phase { get }
    /// What it does, for the progress line (`etcd: 3 members, gate: all healthy over mutual TLS`).
    func title(_ cluster: Cluster) -> String
    /// The units it starts on a host, in order (only those the host's files have).
    var units: [String] { get }
    /// The binaries it needs on `machine`.
    func binaries(for machine: Machine, in cluster: Cluster) -> [BinaryNeed]
    /// What it does on the hosts: one step per host it touched.
    func run(_ run: ApplyRun) throws -> [HostStep]
    /// Health the next phase waits for; `steps` are what `run` did, from `started` on.
    func gate(_ run: ApplyRun, after steps: [HostStep], since started: Date) throws
}

extension ApplyPhase {
    var units: [String] { [] }
    func binaries(for machine: Machine, in cluster: Cluster) -> [BinaryNeed] { [] }
    func gate(_ run: ApplyRun, after steps: [HostStep], since started: Date) throws {}
}

/// A phase that does the same on every host of the file, all at once.
protocol EveryHostPhase: ApplyPhase {
    func run(on machine: Machine, _ run: ApplyRun) throws -> HostStep
}

extension EveryHostPhase {
    func run(_ run: ApplyRun) throws -> [HostStep] {
        try run.onHosts(run.cluster.hosts) { try self.run(on: $0, run) }
    }
}

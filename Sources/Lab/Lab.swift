import ClusterModel
import Foundation
import Shell

/// Machines on one box: per host a network namespace on the cluster's bridge and a systemd-nspawn
/// container booted from the cached Debian root, reachable over ssh with strict host-key checking.
public final class Lab: @unchecked Sendable {
    public let cluster: Cluster
    public let plan: LabPlan
    public let paths: LabPaths
    public let image: RootImage
    let progress: @Sendable (String) -> Void
    let stateFile: LabStateFile
    /// Guards `saved`: machines are prepared and waited for in parallel. Read it through `state`,
    /// change it through `record` (saved at once) or `replaceState`.
    private let lock = NSLock()
    private var saved: LabState

    /// The lab's state now (a copy, read under the lock).
    var state: LabState {
        lock.lock()
        defer { lock.unlock() }
        return saved
    }

    /// Reads the lab's state file; a file of another cluster's lab is refused.
    public init(cluster: Cluster, paths: LabPaths, image: RootImage = RootImage(), progress: @escaping @Sendable (String) -> Void = { _ in }) throws {
        self.cluster = cluster
        self.plan = try LabError.surfacing { try LabPlan(cluster: cluster) }
        self.paths = paths
        self.image = image
        self.progress = progress
        let stateFile = LabStateFile(path: paths.state)
        self.stateFile = stateFile
        saved = try LabError.surfacing { try stateFile.load() } ?? LabState(cluster: cluster.name)
        guard saved.cluster == cluster.name else {
            throw ShellError(LabError(.foreignState, "\(paths.state) belongs to cluster \(saved.cluster), not \(cluster.name)",
                                      fix: "use another --dir for this cluster, or bring that lab down first"))
        }
    }

    // MARK: state

    func isRunning(_ machine: LabState.Machine) -> Bool {
        guard let pid = machine.pid else { return false }
        return ProcessTable.isRunning(pid, startTime: machine.startTime)
    }

    func recorded(_ host: String) -> LabState.Machine? { state[host] }

    func update(_ machine: LabState.Machine) throws {
        try record { $0[machine.host] = machine }
    }

    func record(_ change: (inout LabState) -> Void) throws {
        lock.lock()
        defer { lock.unlock() }
        change(&saved)
        try stateFile.save(saved)
    }

    /// What teardown works from when the state file is gone (not saved: there is nothing to keep).
    func replaceState(_ state: LabState) {
        lock.lock()
        saved = state
        lock.unlock()
    }

    public var recordedMachines: [LabState.Machine] { state.machines }
}

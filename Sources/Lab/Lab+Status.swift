import Foundation
import Shell

/// `lab status`: each machine's process, ssh and memory.
extension Lab {
    /// One machine as `lab status` sees it.
    public struct MachineStatus: Codable, Sendable {
        public var host: String
        public var address: String
        /// running, stopped (in the state file, process gone) or absent.
        public var state: String
        public var ssh: Bool
        public var memoryBytes: UInt64?
        public var pid: Int32?
    }

    public func status() -> [MachineStatus] {
        let hosts = plan.machines.map(\.host) + state.machines.map(\.host).filter { plan.machine($0) == nil }
        return parallel(hosts, limit: hosts.count) { [self] host -> MachineStatus in
            let address = plan.machine(host)?.address.description ?? recorded(host)?.address ?? "?"
            guard let record = recorded(host) else { return MachineStatus(host: host, address: address, state: "absent", ssh: false) }
            guard isRunning(record) else { return MachineStatus(host: host, address: address, state: "stopped", ssh: false, pid: record.pid) }
            let reachable = (try? ssh(host, ["true"], connectTimeout: 3))?.succeeded ?? false
            return MachineStatus(host: host, address: address, state: "running", ssh: reachable, memoryBytes: memory(record), pid: record.pid)
        }
    }

    /// The PSS of every process of the machine's payload (its systemd and everything it started).
    func memory(_ record: LabState.Machine) -> UInt64? {
        guard let group = record.cgroups.first else { return nil }
        let processes = Cgroups.processes(in: "\(group)/payload")
        return processes.isEmpty ? nil : processes.reduce(0) { $0 + ProcessTable.pss($1) }
    }
}

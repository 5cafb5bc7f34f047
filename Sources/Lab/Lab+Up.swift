import Foundation
import Shell

/// `lab up`: machines made, kept or replaced until the lab matches the cluster file.
extension Lab {
    /// What `lab up` did with one machine.
    public struct MachineReport: Codable, Sendable {
        public var host: String
        public var address: String
        /// created, kept (already running) or replaced (its address changed, or it had stopped).
        public var action: String
        public var pid: Int32?
        public var secondsToSSH: Double?
    }

    /// What `lab up` reports (its `--output json`).
    public struct UpReport: Codable, Sendable {
        public var cluster: String
        public var bridge: String
        public var gateway: String
        public var sshConfig: String
        public var imageBuilt: Bool
        public var imageSeconds: Double
        public var seconds: Double
        public var machines: [MachineReport]
        public var removed: [String]
    }

    /// Makes every host of the cluster file a running machine; running machines are kept.
    public func up(mirror: String = RootImage.defaultMirror, timeout: TimeInterval = 120) throws -> UpReport {
        // Lab's own failures leave as the ShellError the CLI reports (see LabError.surfacing).
        try LabError.surfacing {
            let started = Date()
            let imageResult = try image.ensure(mirror: mirror, progress: progress)
            try FileManager.default.createDirectory(atPath: paths.logs, withIntermediateDirectories: true)

            // What to keep, replace, remove and create.
            var removed: [String] = []
            var actions: [String: String] = [:]
            for machine in state.machines {
                if let planned = plan.machine(machine.host) {
                    if machine.address != planned.address.description {
                        progress("replacing \(machine.host): its address changed from \(machine.address) to \(planned.address)")
                        try dismantle([machine])
                        actions[machine.host] = "replaced"
                    } else if !isRunning(machine) {
                        progress(machine.pid == nil ? "making \(machine.host) again: an earlier lab up stopped before it booted"
                                                    : "restarting \(machine.host): its container is no longer running")
                        try dismantle([machine])
                        actions[machine.host] = "replaced"
                    }
                } else {
                    progress("removing \(machine.host): it is no longer in the cluster file")
                    try dismantle([machine])
                    removed.append(machine.host)
                }
            }
            let toCreate = plan.machines.filter { state[$0.host] == nil }
            try preflight(creating: toCreate)
            if let warning = bridgeFilterWarning() { progress("warning: \(warning)") }
            try ensureIdentity()

            var created: [LabPlan.Machine] = []
            var createdBridge = false
            do {
                createdBridge = try ensureBridge()
                for machine in toCreate {
                    progress("preparing \(machine.host) (\(machine.address)) in namespace \(machine.namespace)")
                    created.append(machine)
                    try prepare(machine)
                }
                try writeSSHFiles()
                for machine in created {
                    try boot(machine)
                }
                progress(created.isEmpty ? "every machine is already running; checking ssh" : "booting \(created.map(\.host).joined(separator: ", ")); waiting for ssh")
                let waits = try waitForSSH(plan.machines.map(\.host), timeout: timeout)
                // Machines kept from an earlier up get this hardway's node support files too.
                for machine in plan.machines where !created.contains(where: { $0.host == machine.host }) {
                    guard let root = state[machine.host]?.root, try LabNodeSupport.write(into: root) else { continue }
                    progress("  \(machine.host): node support files updated; systemd reloaded")
                    _ = try ssh(machine.host, ["systemctl", "daemon-reload"])
                }
                var reports: [MachineReport] = []
                for machine in plan.machines {
                    let recorded = state[machine.host]
                    let action = actions[machine.host] ?? (created.contains { $0.host == machine.host } ? "created" : "kept")
                    reports.append(MachineReport(host: machine.host, address: machine.address.description, action: action,
                                                 pid: recorded?.pid, secondsToSSH: waits[machine.host]))
                }
                return UpReport(cluster: cluster.name, bridge: plan.bridge, gateway: plan.gateway.description, sshConfig: paths.sshConfig,
                                imageBuilt: imageResult.built, imageSeconds: imageResult.seconds,
                                seconds: Date().timeIntervalSince(started), machines: reports, removed: removed)
            } catch {
                // Nothing half-made: the machines of this run go, and the bridge if this run made it.
                progress("lab up failed; removing what this run made")
                let made = created.compactMap { state[$0.host] }
                try? dismantle(made)
                if createdBridge, state.machines.isEmpty { try? removeBridge() }
                throw error
            }
        }
    }
}

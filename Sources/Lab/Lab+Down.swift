import Foundation
import PKI
import Shell

/// `lab down`: everything the lab made taken off the box.
extension Lab {
    /// What `lab down` reports (its `--output json`).
    public struct DownReport: Codable, Sendable {
        public var stopped: [String]
        public var removed: [String]
        public var purged: String?
        public var seconds: Double
    }

    /// Stops every machine, removes namespaces, veths, mounts, cgroups and the bridge; with
    /// `purge` also the cached root. Works from the state file, or, when it is gone, from the
    /// names and interface aliases the lab uses.
    public func down(purge: Bool) throws -> DownReport {
        try LabError.surfacing {
            let started = Date()
            if state.machines.isEmpty && state.bridge == nil { replaceState(discover()) }
            let machines = state.machines
            let running = machines.filter(isRunning).map(\.host)
            try dismantle(machines)
            var removed = machines.map(\.host)
            let ourBridge = try HostNetwork.links().contains { $0.name == plan.bridge && $0.alias == "hardway lab \(cluster.name)" }
            if state.bridge != nil || ourBridge {
                try removeBridge()
                removed.append("bridge \(plan.bridge)")
            }
            let existing = (try? String(contentsOfFile: paths.knownHosts, encoding: .utf8)) ?? ""
            let names = Set(plan.machines.flatMap { [$0.host, $0.address.description] } + machines.flatMap { [$0.host, $0.address] })
            if !existing.isEmpty {
                try AtomicFile.write(LabPlan.mergeKnownHosts(existing, removing: names, adding: []), to: paths.knownHosts, mode: 0o644)
            }
            try? FileManager.default.removeItem(atPath: paths.sshConfig)
            // What `apply` recorded was applied to these machines; new machines start with nothing applied.
            try? FileManager.default.removeItem(atPath: "\(paths.directory)/applied.json")
            try? FileManager.default.removeItem(atPath: paths.machines)
            for group in Cgroups.hierarchies().map({ "\($0)/hardway/\(cluster.name)" }) {
                _ = Cgroups.remove(group)
                rmdir((group as NSString).deletingLastPathComponent)  // `hardway/` goes when no other lab uses it
            }
            stateFile.remove()
            var purged: String?
            if purge {
                let users = Mounts.overlayLowerDirectories().filter { $0 == image.root }
                guard users.isEmpty else {
                    throw LabError(.rootInUse, "the lab root \(image.root) is still used by \(users.count) running machine\(users.count == 1 ? "" : "s") of another lab",
                                   fix: "bring that lab down first, then run `hardway lab down --purge` again")
                }
                try image.purge()
                purged = image.directory
            }
            let leftovers = self.leftovers(machines)
            guard leftovers.isEmpty else {
                throw LabError(.leftovers, "lab down left \(leftovers.joined(separator: ", "))", fix: "remove them by hand (`ip netns del`, `ip link del`, `umount`, `kill`), then run `hardway lab down` again")
            }
            return DownReport(stopped: running, removed: removed, purged: purged, seconds: Date().timeIntervalSince(started))
        }
    }
}

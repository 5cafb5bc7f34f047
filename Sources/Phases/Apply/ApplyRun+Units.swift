import ClusterModel
import Render
import Remote

extension ApplyRun {
    /// Units that take a new configuration without dropping a connection: the load balancers' new
    /// workers take over the listening sockets (HAProxy's `expose-fd listeners`, nginx's own reload)
    /// while the old ones finish what they serve. A restart would refuse connections meanwhile.
    static let reloadedUnits: Set<String> = ["haproxy", "nginx"]

    /// The units of `phase` that `machine`'s files have.
    func units(of phase: any ApplyPhase, on machine: Machine) -> [String] {
        guard let bundle = rendered.node(machine.name) else { return [] }
        let present = Set(bundle.files.flatMap(\.units))
        return phase.units.filter(present.contains)
    }

    /// Enables the phase's units; restarts those whose files changed or that are not running.
    func startUnits(_ phase: any ApplyPhase, on machine: Machine, block: Bool = true) throws -> HostStep {
        var step = HostStep(host: machine.name)
        let units = units(of: phase, on: machine)
        guard !units.isEmpty else { return step }
        let remote = host(machine)
        let (owed, reload) = ledger.owed(machine.name)
        if reload {
            try wet(machine.name, "reload systemd's units") {
                try remote.check("systemctl daemon-reload", step: "systemctl daemon-reload")
                ledger.settled(machine.name, reloaded: true)
            }
        }
        let query = units.map { "systemctl is-active --quiet \($0) && echo \($0)" }.joined(separator: "; ") + "; true"
        // Enabled together and without the manager's reload that `systemctl enable` does by itself
        // (a unit's files are already loaded; its boot-time link needs no reload): on a busy host each
        // reload took about a second.
        let enable = "e=; for u in \(units.joined(separator: " ")); do systemctl is-enabled --quiet $u || e=\"$e $u\"; done; " +
            "[ -z \"$e\" ] || systemctl enable --quiet --no-reload $e"
        // Applying, one round trip enables what is not enabled and says what runs; planning only asks.
        var output = ""
        if planning { output = try remote.run(query).stdout }
        try wet(machine.name, "enable \(units.joined(separator: ", "))") {
            output = try remote.check("\(enable) && { \(query); }", step: "enabling \(units.joined(separator: ", "))").stdout
        }
        let active = Set(output.split(separator: "\n").map(String.init))
        for unit in units {
            guard owed.contains(unit) || !active.contains(unit) else { continue }
            let reload = active.contains(unit) && Self.reloadedUnits.contains(unit)
            let verb = reload ? "reload" : active.contains(unit) ? "restart" : "start"
            try wet(machine.name, "\(verb) \(unit)") {
                try remote.check(reload ? "systemctl reload \(unit)" : "systemctl restart \(block ? "" : "--no-block ")\(unit)", step: "starting \(unit)")
                ledger.settled(machine.name, unit: unit)
                progress("  \(machine.name): \(reload ? "reloaded" : active.contains(unit) ? "restarted" : "started") \(unit)")
            }
            step.restarted.append(unit)
        }
        return step
    }

    /// Whether `unit` runs on `machine` and this run owes it a restart (a file or binary it reads
    /// changed): a unit that serves is about to stop.
    func willRestart(_ unit: String, on machine: Machine) throws -> Bool {
        guard ledger.owed(machine.name).units.contains(unit) else { return false }
        return try host(machine).run("systemctl is-active --quiet \(unit)").succeeded
    }

    /// How many of `machines` run `unit` now.
    func running(_ unit: String, on machines: [Machine]) throws -> Int {
        try onHosts(machines) { machine in try self.host(machine).run("systemctl is-active --quiet \(unit)").succeeded }.filter { $0 }.count
    }
}

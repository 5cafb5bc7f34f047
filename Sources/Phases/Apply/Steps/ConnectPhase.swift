import ClusterModel

/// Every host reached over ssh, and what it is: its OS, architecture and init (systemd or nothing),
/// and the lab drop-ins and missing capabilities a worker carries, shown rather than hidden.
struct ConnectPhase: EveryHostPhase {
    let id = Phase.connect

    func title(_ cluster: Cluster) -> String { "reaching \(cluster.hosts.count) hosts over ssh" }

    func run(on machine: Machine, _ run: ApplyRun) throws -> HostStep {
        let facts = try run.host(machine).check("""
        . /etc/os-release 2>/dev/null; echo "os=$ID $VERSION_ID"; echo "arch=$(uname -m)"; echo "init=$(cat /proc/1/comm)"
        echo "swap=$(tail -n +2 /proc/swaps | wc -l)"
        echo "capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)"
        echo "dropins=$(sed -n 's/^# hardway-lab: //p' /etc/systemd/system/*.d/hardway-lab.conf 2>/dev/null | tr '\\n' '|')"
        """, step: "reading facts")
        let values = ScriptOutput.keyValues(facts.stdout)
        guard values["init"] == "systemd" else {
            throw PhaseError(.unsuitableHost, .connect, host: machine.name, "PID 1 is \(values["init"] ?? "unknown"), not systemd",
                             fix: "hardway installs systemd units: use a systemd distribution (Debian, Ubuntu, …)")
        }
        run.progress("  \(machine.name): \(values["os"] ?? "?") \(values["arch"] ?? "?"), systemd")
        var notes = ["\(values["os"] ?? "?") \(values["arch"] ?? "?") swap:\(values["swap"] ?? "?")"]
        // Settings a lab machine carries as drop-ins where it cannot be a VM: shown, never hidden.
        for dropIn in (values["dropins"] ?? "").split(separator: "|") where machine.has(.worker) {
            notes.append("lab drop-in: \(dropIn)")
            run.progress("  \(machine.name): lab drop-in: \(dropIn)")
        }
        // CAP_SYS_RESOURCE (bit 24) lets containerd run at -999 and hand pods lower OOM scores than its own.
        if machine.has(.worker), let mask = values["capeff"].flatMap({ UInt64($0, radix: 16) }), mask & (1 << 24) == 0 {
            let note = "no CAP_SYS_RESOURCE here: containerd cannot lower OOM scores, so pods keep at least its own (the rendered restrict_oom_score_adj); without it runc fails with `can't get final child's PID from pipe`"
            notes.append(note)
            run.progress("  \(machine.name): \(note)")
        }
        return HostStep(host: machine.name, notes: notes)
    }
}

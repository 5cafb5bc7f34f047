import Foundation
import ClusterModel
import Remote
import Shell

/// What each host runs, read from the running processes themselves (`/proc/PID/exe --version`), not
/// from the files on disk: a binary replaced without a restart still shows the old version.
public enum RunningVersions {
    /// The components a host runs, by its roles, with the version the cluster file pins (nil: not pinned).
    public static func components(for machine: Machine, cluster: Cluster) -> [(unit: String, expected: String?)] {
        var units: [(String, String?)] = []
        if cluster.etcdMembers.contains(where: { $0.name == machine.name }) { units.append(("etcd", cluster.etcdVersion)) }
        if machine.has(.controller) {
            units += ["kube-apiserver", "kube-controller-manager", "kube-scheduler"].map { ($0, cluster.kubernetesVersion) }
        }
        if machine.has(.worker) {
            units += [("containerd", cluster.versions.containerd), ("kubelet", cluster.kubernetesVersion), ("kube-proxy", cluster.kubernetesVersion)]
        }
        return units
    }

    /// One script for a host: per unit, `== unit` then what its running binary says of its version.
    /// A unit between two runs (systemd's auto-restart: a controller manager that lost its lease
    /// while its API server restarted exits, and is started again 5 s later) is waited for, up to
    /// 10 s; one still down then, or in a restart loop, is not running.
    public static func script(units: [String]) -> String {
        units.map { unit in
            "echo '== \(unit)'; n=0; pid=$(systemctl show -p MainPID --value \(unit) 2>/dev/null); " +
            "while { [ -z \"$pid\" ] || [ \"$pid\" = 0 ]; } && [ \"$(systemctl show -p ActiveState --value \(unit) 2>/dev/null)\" = activating ] && [ $n -lt 20 ]; do " +
            "sleep 0.5; n=$((n+1)); pid=$(systemctl show -p MainPID --value \(unit) 2>/dev/null); done; " +
            "if [ -n \"$pid\" ] && [ \"$pid\" != 0 ]; then /proc/$pid/exe --version 2>&1 | head -n 3; else echo 'not running'; fi"
        }.joined(separator: "; ")
    }

    /// Unit → the version its process reports (`v1.20.2`, `v3.4.23`, `v1.6.20~ds1`), or nil when
    /// it is not running or says nothing readable.
    public static func parse(_ output: String) -> [String: String] {
        var result: [String: String] = [:]
        var current: String?
        for line in output.split(separator: "\n").map(String.init) {
            if line.hasPrefix("== ") { current = String(line.dropFirst(3)); continue }
            guard let unit = current, result[unit] == nil, let version = version(in: line) else { continue }
            result[unit] = version
        }
        return result
    }

    /// `Kubernetes v1.20.2` → v1.20.2; `etcd Version: 3.4.23` → v3.4.23;
    /// `containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+b1` → v1.6.20~ds1.
    static func version(in line: String) -> String? {
        for word in line.split(separator: " ") {
            var text = String(word)
            if text.hasPrefix("v") { text.removeFirst() }
            let parts = text.split(separator: ".", maxSplits: 2)
            guard parts.count == 3, Int(parts[0]) != nil, Int(parts[1]) != nil, parts[2].first?.isNumber == true else { continue }
            return "v" + text
        }
        return nil
    }

    /// One row per component: the version every host runs beside the file's, or which host runs
    /// something else (or nothing) and what to do.
    public static func rows(cluster: Cluster, running: [String: [String: String]]) -> [CheckRow] {
        var order: [String] = []
        var expected: [String: String?] = [:]
        var hostsOf: [String: [String]] = [:]
        for machine in cluster.hosts {
            for (unit, version) in components(for: machine, cluster: cluster) {
                if hostsOf[unit] == nil { order.append(unit); expected[unit] = version }
                hostsOf[unit, default: []].append(machine.name)
            }
        }
        return order.map { unit in
            let hosts = hostsOf[unit]!
            let want = expected[unit] ?? nil
            let seen = hosts.map { ($0, running[$0]?[unit]) }
            let off = seen.filter { $0.1 == nil }.map(\.0)
            // Debian's `v1.7.24~ds1` is release v1.7.24.
            let other = seen.filter { entry in entry.1 != nil && want != nil && UpgradeRules.release(entry.1!) != UpgradeRules.release(want!) }
            let versions = Set(seen.compactMap(\.1)).sorted()
            if off.isEmpty, other.isEmpty {
                let runs = versions.joined(separator: ", ")
                return CheckRow(area: "versions", subject: unit, state: .ok,
                                detail: "\(runs) on \(hosts.count == 1 ? hosts[0] : "all \(hosts.count) hosts")" + (want.map { " (the file's \($0))" } ?? " (not pinned in the file)"))
            }
            var problems: [String] = other.map { "\($0.0) runs \($0.1!)" }
            if !off.isEmpty { problems.append("\(off.joined(separator: ", ")) \(off.count == 1 ? "runs" : "run") none (or it did not say its version)") }
            let fix = other.isEmpty
                ? "start it: `hardway apply`, or look at `journalctl -u \(unit) -n 30` there"
                : "the file says \(want!): `hardway apply` installs that binary and restarts \(unit); if the binary there is already \(want!), restart it (`systemctl restart \(unit)`)"
            return CheckRow(area: "versions", subject: unit, state: .failed, detail: problems.joined(separator: "; ") + "; " + fix)
        }
    }
}

extension Checker {
    /// Each component's running version on every host, beside the file's.
    func versions() -> [CheckRow] {
        let readings = parallel(cluster.hosts, limit: live.parallelism) { machine -> (String, [String: String]) in
            let units = RunningVersions.components(for: machine, cluster: cluster).map(\.unit)
            guard !units.isEmpty, let result = try? hosts[machine.name]?.run(RunningVersions.script(units: units)) else { return (machine.name, [:]) }
            return (machine.name, RunningVersions.parse(result.stdout))
        }
        let running = Dictionary(readings, uniquingKeysWith: { $1 })
        let rows = RunningVersions.rows(cluster: cluster, running: running)
        // Only what apply has started so far is expected to run.
        return rows.filter { row in
            switch row.subject {
            case "etcd": return record.applied(.etcd)
            case "kube-apiserver", "kube-controller-manager", "kube-scheduler": return record.applied(.controlPlane)
            default: return record.applied(.workers)
            }
        }
    }
}

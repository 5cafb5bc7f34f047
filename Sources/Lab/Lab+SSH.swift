import Foundation
import PKI
import Shell

/// How the box reaches the machines: the lab's key, the ssh config and known_hosts, and the wait
/// for every machine to answer.
extension Lab {
    /// The lab key: made once (ed25519, no passphrase), never replaced.
    func ensureIdentity() throws {
        let fm = FileManager.default
        try AtomicFile.makeDirectory(paths.ssh, mode: 0o700)
        let directory = (paths.identityFile as NSString).deletingLastPathComponent
        if !fm.fileExists(atPath: directory) { try AtomicFile.makeDirectory(directory, mode: 0o700) }
        if !fm.fileExists(atPath: paths.identityFile) {
            progress("making the lab's ssh key \(paths.identityFile)")
            try Exec.check("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "hardway lab \(cluster.name)", "-f", paths.identityFile],
                           what: "ssh-keygen for the lab key")
        }
        if !fm.fileExists(atPath: paths.identityFile + ".pub") {
            let derived = try Exec.check("ssh-keygen", ["-y", "-f", paths.identityFile], what: "reading the public half of \(paths.identityFile)",
                                         fix: "the key must have no passphrase for the lab; or set ssh.identityFile to another key")
            try AtomicFile.write(derived.stdout, to: paths.identityFile + ".pub", mode: 0o644)
        }
    }

    func publicKey() throws -> String {
        guard let text = try? String(contentsOfFile: paths.identityFile + ".pub", encoding: .utf8) else {
            throw LabError(.unreadableKey, "cannot read \(paths.identityFile).pub", fix: "check its permissions")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Polls ssh on every machine in parallel until each answers with strict host-key checking.
    func waitForSSH(_ hosts: [String], timeout: TimeInterval) throws -> [String: Double] {
        let started = Date()
        let results = parallel(hosts, limit: hosts.count) { [self] host -> (String, Double?, String) in
            var last = ""
            // Each host's wait counts from `started`, as the report's seconds do.
            let outcome = Poll.until(timeout: started.addingTimeInterval(timeout).timeIntervalSinceNow, every: 0.2) { () -> (seconds: Double?, problem: String)? in
                if let record = recorded(host), !isRunning(record) {
                    return (nil, "its container stopped: " + consoleTail(record))
                }
                let probe = (try? ssh(host, ["true"], connectTimeout: 2)) ?? ExecResult(status: -1, stdout: "", stderr: "ssh did not run")
                if probe.succeeded {
                    let seconds = Date().timeIntervalSince(started)
                    progress(String(format: "  %@ answers on ssh after %.1f s", host, seconds))
                    return (seconds, "")
                }
                last = probe.tail
                return nil
            }
            return (host, outcome?.seconds, outcome?.problem ?? "no ssh answer in \(Int(timeout)) s (last: \(last))")
        }
        let failed = results.filter { $0.1 == nil }
        guard failed.isEmpty else {
            throw LabError(.machinesDown, "machines did not come up: " + failed.map { "\($0.0): \($0.2)" }.joined(separator: "; "),
                           fix: "see \(paths.logs)/HOST.console.log; then run `hardway lab up` again")
        }
        return Dictionary(uniqueKeysWithValues: results.map { ($0.0, $0.1!) })
    }

    func consoleTail(_ record: LabState.Machine) -> String {
        guard let console = record.console, let text = try? String(contentsOfFile: console, encoding: .utf8) else { return "no console log" }
        return text.split(separator: "\n").suffix(3).joined(separator: " / ")
    }

    /// Runs a command on a machine through the lab's ssh config.
    public func ssh(_ host: String, _ command: [String], connectTimeout: Int = 5) throws -> ExecResult {
        try Exec.run("ssh", ["-F", paths.sshConfig, "-o", "BatchMode=yes", "-o", "ConnectTimeout=\(connectTimeout)", host, "--"] + command)
    }

    /// The ssh config and the machines' host keys in the cluster's known_hosts.
    func writeSSHFiles() throws {
        var lines: [String] = []
        var names: Set<String> = []
        for machine in plan.machines {
            let key = "\(paths.machines)/\(machine.host)/root/etc/ssh/ssh_host_ed25519_key.pub"
            guard let text = try? String(contentsOfFile: key, encoding: .utf8) else { continue }
            lines.append(LabPlan.knownHostsLine(host: machine.host, address: machine.address, port: cluster.ssh.port, publicKey: text))
            names.formUnion([machine.host, machine.address.description])
            // Keep every machine's /etc/hosts in step with the cluster file.
            try? plan.hostsFile().write(toFile: "\(paths.machines)/\(machine.host)/root/etc/hosts", atomically: false, encoding: .utf8)
        }
        let existing = (try? String(contentsOfFile: paths.knownHosts, encoding: .utf8)) ?? ""
        try AtomicFile.write(LabPlan.mergeKnownHosts(existing, removing: names, adding: lines), to: paths.knownHosts, mode: 0o644)
        try AtomicFile.write(plan.sshConfig(user: cluster.ssh.user, port: cluster.ssh.port, identityFile: paths.identityFile,
                                            knownHosts: paths.knownHosts), to: paths.sshConfig, mode: 0o644)
    }
}

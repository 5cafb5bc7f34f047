import AWS
import ClusterModel
import Foundation
import Remote

extension InfraProvisioner {
    /// After the instances run: each one's host keys in `<dir>/ssh/known_hosts`, read from its console
    /// (waiting for cloud-init to print them, at most `timeout`) unless they are there already. Each
    /// instance's keys are written, and recorded in the state, the moment they are read, so an
    /// interrupted wait keeps what it found. Instances whose console never shows them fail together,
    /// named with the fix.
    func pinHostKeys(_ instances: [String: XMLNode?]) async throws {
        guard let pinning = hostKeys else { return }
        let file = knownHostsFile
        let names = try connectNames(pinning.spec)
        var waiting: [(host: String, instance: String, name: String, old: PinnedHostKeys?)] = []
        for planned in design.instances {
            let host = planned.host
            guard let instance = instances[host].flatMap({ $0?.string("instanceId") }), let name = names[host] else {
                note(.init(.create, "host keys", host, detail: "read from its console once it runs, into \(file)"))
                continue
            }
            let recorded = state.hostKeys?[host]
            switch HostKeyStep.decide(instance: instance, name: name, recorded: recorded, knownHosts: readKnownHosts()) {
            case .keep(let pinned):
                note(.init(.keep, "host keys", host, id: instance, detail: "\(Self.types(pinned.keys)) for \(name) in \(file)"))
            case .rewrite(let pinned):
                try await change("host keys", host, id: instance, detail: "\(Self.types(pinned.keys)) for \(name) written again to \(file)") {
                    try self.pin(pinned, host: host, replacing: recorded)
                }
            case .byHand:
                note(.init(.keep, "host keys", host, id: instance, detail: "\(file) already has keys for \(name), not read from the console"))
                if recorded != nil {
                    try await act {
                        state.hostKeys?[host] = nil
                        try state.save(directory: directory)
                    }
                }
            case .read:
                try await act(InfraChange(.create, "host keys", host, id: instance, detail: "read from its console into \(file), for \(name)")) {
                    waiting.append((host, instance, name, recorded))
                }
            }
        }
        guard !waiting.isEmpty else { return }

        let started = Date()
        let deadline = started.addingTimeInterval(pinning.timeout)
        var consoles: [String: String] = [:]
        var withoutLatest: Set<String> = []
        defer { progress(nil) }
        while true {
            // The deadline counts against when a look began: a slow answer near it (a loaded box, a
            // throttled API) still gets one more look rather than an error.
            let looked = Date()
            for item in waiting {
                let console = try await console(of: item.instance, host: item.host, withoutLatest: &withoutLatest)
                consoles[item.host] = console
                let keys = ConsoleHostKeys.parse(console)
                guard !keys.isEmpty else { continue }
                let pinned = PinnedHostKeys(instance: item.instance, name: item.name, keys: keys)
                try pin(pinned, host: item.host, replacing: item.old)
                note(.init(.create, "host keys", item.host, id: item.instance, detail: "\(Self.types(keys)) from its console, for \(item.name) in \(file)"))
            }
            waiting.removeAll { state.hostKeys?[$0.host]?.instance == $0.instance }
            guard !waiting.isEmpty else { return }
            let elapsed = Date().timeIntervalSince(started)
            progress("waiting for the ssh host keys of \(waiting.count) instance\(waiting.count == 1 ? "" : "s") in \(waiting.count == 1 ? "its console" : "their consoles") (\(Int(elapsed)) s)")
            guard looked < deadline else {
                throw Self.missingHostKeys(waiting.map { ($0.host, $0.instance, $0.name, consoles[$0.host] ?? "") },
                                           timeout: pinning.timeout, file: file)
            }
            try await Task.sleep(nanoseconds: UInt64(min(HostKeyPinning.pollInterval, max(0.1, deadline.timeIntervalSinceNow)) * 1_000_000_000))
        }
    }

    /// Host name → the known_hosts name of where `hardway apply` connects: the cluster file resolved
    /// as apply resolves it, with the public addresses this run recorded.
    func connectNames(_ spec: ClusterSpec) throws -> [String: String] {
        let provisioned = Provisioned(loadBalancerDNSName: state.loadBalancerDNSName, publicAddresses: state.publicAddresses)
        guard let cluster = ClusterResolver.resolve(spec, provisioned: provisioned).cluster else {
            throw InfraError(.unresolvedCluster, "the cluster file no longer resolves with the addresses infra apply recorded",
                             fix: "run `hardway validate` to see why, then `hardway infra apply` again")
        }
        return Dictionary(cluster.hosts.map { ($0.name, KnownHosts.name($0.sshAddress, port: cluster.ssh.port)) }, uniquingKeysWith: { first, _ in first })
    }

    /// Writes the keys to known_hosts, then records them: the state never names keys the file lacks.
    func pin(_ pinned: PinnedHostKeys, host: String, replacing old: PinnedHostKeys?) throws {
        try writeKnownHosts(HostKeyStep.knownHosts(readKnownHosts(), writing: pinned, host: host, replacing: old))
        var keys = state.hostKeys ?? [:]
        keys[host] = pinned
        state.hostKeys = keys
        state.updated = ISO8601DateFormatter().string(from: Date())
        try state.save(directory: directory)
    }

    /// The instance's console. `Latest` reads the serial console as it is now, which Nitro instances
    /// offer; without it EC2 answers what it buffered shortly after the instance's last state change,
    /// which may take minutes to include cloud-init's lines. An instance refusing `Latest` is asked
    /// without it from then on.
    func console(of instance: String, host: String, withoutLatest: inout Set<String>) async throws -> String {
        do {
            return try await consoleOutput(instance, latest: !withoutLatest.contains(instance))
        } catch let error as AWSError where !withoutLatest.contains(instance)
                    && (error.serviceCode == "UnsupportedOperation" || error.serviceCode?.hasPrefix("InvalidParameter") == true) {
            withoutLatest.insert(instance)
            return try await consoleOutput(instance, latest: false)
        } catch let error as AWSError where ["UnauthorizedOperation", "AccessDenied"].contains(error.serviceCode ?? "") {
            throw InfraError(.consoleRefused, "reading the console of \(host) (\(instance)) for its ssh host keys was refused: \(error)",
                             fix: "allow ec2:GetConsoleOutput for these credentials and run `hardway infra apply` again, or pass --skip-host-keys and put the hosts' keys in \(knownHostsFile) yourself")
        }
    }

    /// `ecdsa-sha2-nistp256, ssh-ed25519, ssh-rsa`.
    static func types(_ keys: [String]) -> String {
        keys.compactMap { $0.split(separator: " ").first.map(String.init) }.joined(separator: ", ")
    }

    /// The failure for instances whose consoles never showed the keys: each named, what the console
    /// last said, and the ways on.
    static func missingHostKeys(_ missing: [(host: String, instance: String, name: String, console: String)], timeout: TimeInterval,
                                file: String) -> InfraError {
        let seconds = "within \(Int(timeout)) s"
        let message: String
        if missing.count == 1, let only = missing.first {
            message = "the console of \(only.host) (\(only.instance)) shows no ssh host keys \(seconds), so \(file) has none for \(only.name); "
                + lastLine(only.console)
        } else {
            message = "the consoles of \(missing.count) instances show no ssh host keys \(seconds), so \(file) has none for them: "
                + missing.map { "\($0.host) (\($0.instance), \($0.name))" }.joined(separator: ", ")
                + (missing.first.map { "; \(lastLine($0.console).replacingOccurrences(of: "its console", with: "the console of \($0.host)"))" } ?? "")
        }
        let example = missing.first
        let fix = "see what a console shows with `aws ec2 get-console-output --instance-id \(example?.instance ?? "ID") --latest --output text`; "
            + "a slow first boot needs only `hardway infra apply` again (or a longer --host-key-timeout); "
            + "an image that never prints them (no cloud-init, emit_keys_to_console: false, every key type in ssh_key_console_blacklist) "
            + "needs each host's key put in \(file) as `\(example?.name ?? "ADDRESS") TYPE KEY`, read over a path you trust, "
            + "then `hardway infra apply` again: a host already there is not waited for"
        return InfraError(.missingHostKeys, message, fix: fix)
    }

    /// `its console ends: "…"`, or that it is empty: what a person checks first.
    static func lastLine(_ console: String) -> String {
        let lines = console.split(whereSeparator: \.isNewline).map {
            String($0.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }).trimmingCharacters(in: .whitespaces)
        }
        guard let last = lines.last(where: { !$0.isEmpty }) else { return "its console is still empty" }
        return "its console ends: \"\(last.count > 120 ? String(last.prefix(117)) + "..." : last)\""
    }
}

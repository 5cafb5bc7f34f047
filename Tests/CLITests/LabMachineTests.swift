import Foundation
import Synchronization
import Testing
import Lab

/// Real machines: `hardway lab up` boots systemd-nspawn containers from the cached Debian root
/// (scripts/test builds it with `hardway lab prepare` before the tests; no test downloads anything),
/// and the tests reach them with the OpenSSH client, as a user would.
/// The lab subnets (10.251.X.0/24) the tests of this run have taken.
let takenOctets = Mutex<Set<Int>>([])

@Suite("lab: machines on this box", .serialized)
struct LabMachineTests {
    /// A 3-machine cluster on a subnet and with a name of its own, so a lab the developer runs
    /// (10.240.0.0/24) and the tests never meet.
    struct TestLab {
        let name: String
        let octet: Int
        let directory: String
        var file: String { "\(directory)/cluster.yaml" }
        var dir: String { "\(directory)/out" }
        var sshConfig: String { "\(dir)/ssh/config" }
        var bridge: String { "hw-\(name)" }
        func address(_ last: Int) -> String { "10.251.\(octet).\(last)" }
        let hosts: [(String, Int)]

        /// `roles` overrides the roles read from a host's name (lb-…, master-…, etcd-…, else worker);
        /// `extra` is added to the file as it is (e.g. `etcd: { hosts: [...] }`).
        init(hosts: [(String, Int)] = [("lb-0", 5), ("master-0", 10), ("worker-0", 20)], user: String = "root", bastion: Int? = nil,
             loadBalancer: String = "haproxy", roles: [String: String] = [:], extra: String = "") throws {
            self.hosts = hosts
            octet = Self.freeOctet()
            name = "hwt\(octet)x\(Int.random(in: 10...99))"
            directory = try Scratch.directory()
            try Scratch.write("""
            apiVersion: hardway/v1
            kind: Cluster
            name: \(name)
            kubernetesVersion: v1.20.2
            etcdVersion: v3.4.23              # Debian's etcd, which lab up puts in the binaries directory
            network: { nodeCIDR: 10.251.\(octet).0/24, podCIDR: 10.200.0.0/16, serviceCIDR: 10.32.0.0/24 }
            api: { endpoint: 10.251.\(octet).5 }
            loadBalancer: { kind: \(loadBalancer), host: lb-0 }
            pki: { keyAlgorithm: ecdsa-p256 }
            ssh: { user: \(user)\(bastion.map { ", bastion: \(user)@10.251.\(octet).\($0)" } ?? "") }
            binaries: { dir: out/binaries }     # what lab up and binaries build fill; set, so apply never downloads
            addons: { dns: false }              # CoreDNS's image comes from a registry, which this box does not reach
            \(extra)
            hosts:
            \(hosts.map { host in
                let role = roles[host.0] ?? (host.0.hasPrefix("lb") ? "loadbalancer" : host.0.hasPrefix("master") ? "controller"
                                             : host.0.hasPrefix("etcd") ? "etcd" : "worker")
                return "  - { name: \(host.0), address: 10.251.\(octet).\(host.1), roles: [\(role)] }"
            }.joined(separator: "\n"))
            """, to: file)
        }

        /// Suites run at once: each lab takes a subnet no other lab of this run took and no link of
        /// this box has (two labs on one random octet would refuse each other's bridge).
        static func freeOctet() -> Int {
            let routes = (try? Program.run("/usr/sbin/ip", ["-4", "-o", "addr", "show"], in: "/").stdout) ?? ""
            return takenOctets.withLock { taken in
                let free = (1...250).filter { !taken.contains($0) && !routes.contains("10.251.\($0).") }
                let octet = free.randomElement() ?? Int.random(in: 1...250)
                taken.insert(octet)
                return octet
            }
        }

        func hardway(_ arguments: [String]) throws -> Run {
            try Program.hardway(arguments + ["-f", file, "--dir", dir], in: directory)
        }

        func ssh(_ host: String, _ command: String, extra: [String] = []) throws -> Run {
            try Program.run(try Program.tool("ssh"), ["-F", sshConfig, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"] + extra + [host, command], in: directory)
        }

        /// Whatever happened, nothing of this lab stays on the box.
        func cleanUp() {
            _ = try? hardway(["lab", "down"])
            _ = try? Program.run("/usr/sbin/ip", ["link", "del", bridge], in: "/")
            try? FileManager.default.removeItem(atPath: directory)
        }

        /// Namespaces, links, mounts, processes and cgroups of this lab still on the box.
        func traces() throws -> [String] {
            var found: [String] = []
            let namespaces = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
            found += namespaces.filter { $0.hasPrefix("hw-\(name)-") }.map { "namespace \($0)" }
            let links = try Program.run("/usr/sbin/ip", ["-o", "link", "show"], in: "/").stdout
            found += links.split(separator: "\n").filter { $0.contains(bridge) || $0.contains("hardway lab \(name)") }.map { "link \($0)" }
            let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
            found += mounts.split(separator: "\n").filter { $0.contains(directory) }.map { "mount \($0)" }
            for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc") {
                guard let pid = Int32(entry),
                      let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                      !status.contains("State:\tZ"),
                      let commandLine = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
                let text = String(decoding: commandLine.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
                if text.contains("--machine=\(name)-") { found.append("process \(pid): \(text)") }
            }
            // Every hierarchy, the v1 controllers included (machines that run kubelets join them too).
            let hierarchies = ["/sys/fs/cgroup"] + ((try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []).map { "/sys/fs/cgroup/\($0)" }
            for hierarchy in hierarchies where FileManager.default.fileExists(atPath: "\(hierarchy)/hardway/\(name)") {
                found.append("cgroup \(hierarchy)/hardway/\(name)")
            }
            return found
        }
    }

    static func requireRootImage() throws {
        guard RootImage().isReady else {
            throw Failure("the lab root is not built (\(RootImage().root)): scripts/test builds it with `hardway lab prepare` before the tests; run that")
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func json(_ run: Run) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run)")
    }

    @Test("three machines: ssh with strict host keys through the written config, ping over the bridge, systemd running, up again keeps them, down leaves nothing")
    func lifecycle() throws {
        try Self.requireRootImage()
        let lab = try TestLab()
        defer { lab.cleanUp() }

        let up = try lab.hardway(["lab", "up", "--output", "json"])
        #expect(up.status == 0, "\(up)")
        let report = try #require(try Self.json(up)["lab"] as? [String: Any])
        let machines = try #require(report["machines"] as? [[String: Any]])
        #expect(machines.compactMap { $0["action"] as? String } == ["created", "created", "created"])
        let pids = machines.compactMap { $0["pid"] as? Int }
        #expect(pids.count == 3)
        #expect(up.stderr.contains("waiting for ssh"), "progress lines go to stderr")

        // Every machine answers the OpenSSH client, by its name, with strict host-key checking.
        for (host, _) in lab.hosts {
            let run = try lab.ssh(host, "hostname")
            #expect(run.status == 0, "\(host): \(run)")
            #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == host)
        }
        // Strictness is real: with a known_hosts that holds another machine's key for lb-0, ssh refuses.
        let known = try String(contentsOfFile: "\(lab.dir)/ssh/known_hosts", encoding: .utf8)
        let lines = known.split(separator: "\n").map(String.init)
        let lbLine = try #require(lines.first { $0.hasPrefix("lb-0,") })
        let masterKey = try #require(lines.first { $0.hasPrefix("master-0,") }).split(separator: " ").dropFirst().joined(separator: " ")
        let forged = "\(lab.directory)/forged_known_hosts"
        try Scratch.write(lines.filter { $0 != lbLine }.joined(separator: "\n") + "\nlb-0,\(lab.address(5)) \(masterKey)\n", to: forged)
        let refused = try lab.ssh("lb-0", "true", extra: ["-o", "UserKnownHostsFile=\(forged)"])
        #expect(refused.status != 0)
        #expect(refused.stderr.lowercased().contains("host key"), "\(refused)")

        // Machine to machine over the bridge, by address and by name; and to the box's gateway.
        let ping = try lab.ssh("master-0", "ping -c 2 -W 2 \(lab.address(20)) && ping -c 1 -W 2 lb-0 && ping -c 1 -W 2 \(lab.address(1))")
        #expect(ping.status == 0, "\(ping)")
        // No router anywhere: the default route is on the link itself, so nothing leaves the box.
        let routes = try lab.ssh("worker-0", "ip -4 route")
        #expect(routes.stdout.contains("default dev eth0"), "\(routes)")
        #expect(!routes.stdout.contains(" via "), "\(routes)")
        // systemd is PID 1 and has finished booting with nothing failed.
        for (host, _) in lab.hosts {
            let systemd = try lab.ssh(host, "systemctl is-system-running --wait; systemctl --failed --no-legend")
            #expect(systemd.stdout.hasPrefix("running\n"), "\(host): \(systemd)")
        }
        // `hardway lab ssh` runs a command the same way.
        let viaHardway = try Program.hardway(["lab", "ssh", "worker-0", "-f", lab.file, "--dir", lab.dir, "--", "cat", "/etc/hostname"], in: lab.directory)
        #expect(viaHardway.status == 0, "\(viaHardway)")
        #expect(viaHardway.stdout == "worker-0\n")

        // status: every machine running, reachable, using some memory.
        let status = try lab.hardway(["lab", "status", "--output", "json"])
        #expect(status.status == 0, "\(status)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 3)
        for row in rows {
            #expect(row["state"] as? String == "running")
            #expect(row["ssh"] as? Bool == true)
            #expect((row["memoryBytes"] as? Int ?? 0) > 1_048_576, "\(row)")
        }

        // The binaries directory holds what this box's Debian packages give; Kubernetes' own are named as missing.
        let binaries = try #require(try Self.json(up)["binaries"] as? [String: Any])
        let missing = (binaries["missing"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(missing.contains("kube-apiserver") && missing.contains("kubelet"))
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/etcd") {
            let version = try Program.run("\(lab.dir)/binaries/etcd", ["--version"], in: lab.directory)
            #expect(version.status == 0 && version.stdout.contains("etcd Version"), "\(version)")
        }

        // Up again: the same machines, kept.
        let again = try lab.hardway(["lab", "up", "--output", "json"])
        #expect(again.status == 0, "\(again)")
        let kept = try #require(try Self.json(again)["lab"] as? [String: Any])["machines"] as? [[String: Any]] ?? []
        #expect(kept.compactMap { $0["action"] as? String } == ["kept", "kept", "kept"])
        #expect(kept.compactMap { $0["pid"] as? Int } == pids)

        // A machine that dies (its systemd-nspawn killed) shows as stopped; up replaces it alone,
        // with a new host key in known_hosts, and ssh with strict checking reaches it again.
        let workerPID = try #require(pids.last)
        kill(pid_t(workerPID), SIGKILL)
        #expect(NetworkLab.wait(10) { !FileManager.default.fileExists(atPath: "/proc/\(workerPID)/cmdline") || ((try? String(contentsOfFile: "/proc/\(workerPID)/status", encoding: .utf8)) ?? "").contains("State:\tZ") })
        let degraded = try lab.hardway(["lab", "status"])
        #expect(degraded.status == 1, "\(degraded)")
        #expect(degraded.stdout.contains("stopped"), "\(degraded)")
        #expect(degraded.stderr.contains("worker-0 is not running"), "\(degraded)")
        let oldKey = try String(contentsOfFile: "\(lab.dir)/ssh/known_hosts", encoding: .utf8).split(separator: "\n").first { $0.hasPrefix("worker-0,") }
        let revived = try lab.hardway(["lab", "up", "--output", "json"])
        #expect(revived.status == 0, "\(revived)")
        let revivedMachines = try #require(try Self.json(revived)["lab"] as? [String: Any])["machines"] as? [[String: Any]] ?? []
        #expect(revivedMachines.compactMap { $0["action"] as? String } == ["kept", "kept", "replaced"])
        let newKey = try String(contentsOfFile: "\(lab.dir)/ssh/known_hosts", encoding: .utf8).split(separator: "\n").first { $0.hasPrefix("worker-0,") }
        #expect(newKey != nil && newKey != oldKey)
        #expect(try lab.ssh("worker-0", "hostname").stdout == "worker-0\n")

        let down = try lab.hardway(["lab", "down"])
        #expect(down.status == 0, "\(down)")
        #expect(try lab.traces() == [])
        #expect(!FileManager.default.fileExists(atPath: "\(lab.dir)/lab/state.json"))
        #expect(!FileManager.default.fileExists(atPath: lab.sshConfig))
        #expect(FileManager.default.fileExists(atPath: "\(lab.dir)/ssh/id_ed25519"), "the lab key stays")
        let status2 = try lab.hardway(["lab", "status"])
        #expect(status2.status == 1)
        #expect(status2.stdout.contains("absent"))
    }

    @Test("an up killed half-way (after a machine's namespace exists) is finished by the next up; down then leaves nothing")
    func interruptedUp() throws {
        try Self.requireRootImage()
        let lab = try TestLab()
        defer { lab.cleanUp() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Program.hardway)
        process.arguments = ["lab", "up", "-f", lab.file, "--dir", lab.dir]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let statePath = "\(lab.dir)/lab/state.json"
        let interrupted = NetworkLab.wait(60, every: 0.005) {
            ((try? String(contentsOfFile: statePath, encoding: .utf8)) ?? "").contains("\"namespace\"")
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(interrupted, "the state file never recorded a namespace")

        let again = try lab.hardway(["lab", "up", "--output", "json"])
        #expect(again.status == 0, "\(again)")
        let machines = try #require(try Self.json(again)["lab"] as? [String: Any])["machines"] as? [[String: Any]] ?? []
        #expect(machines.count == 3)
        for (host, _) in lab.hosts {
            #expect(try lab.ssh(host, "hostname").stdout == "\(host)\n")
        }
        let down = try lab.hardway(["lab", "down"])
        #expect(down.status == 0, "\(down)")
        #expect(try lab.traces() == [])
    }

    @Test("a bridge name and an address already on the box: both reported at once, nothing created")
    func collisions() throws {
        try Self.requireRootImage()
        let lab = try TestLab()
        defer {
            lab.cleanUp()
            _ = try? Program.run("/usr/sbin/ip", ["link", "del", "hwtdummy\(lab.octet)"], in: "/")
        }
        let ip = "/usr/sbin/ip"
        try #require(try Program.run(ip, ["link", "add", lab.bridge, "type", "bridge"], in: "/").status == 0)
        try #require(try Program.run(ip, ["link", "add", "hwtdummy\(lab.octet)", "type", "bridge"], in: "/").status == 0)
        try #require(try Program.run(ip, ["addr", "add", "\(lab.address(10))/32", "dev", "hwtdummy\(lab.octet)"], in: "/").status == 0)

        let up = try lab.hardway(["lab", "up"])
        #expect(up.status == 1, "\(up)")
        #expect(up.stderr.contains("a network interface named \(lab.bridge) already exists"), "\(up.stderr)")
        #expect(up.stderr.contains("\(lab.address(10)) (master-0) is already an address of hwtdummy\(lab.octet)"), "\(up.stderr)")
        #expect(up.stderr.contains("nothing was changed"))
        _ = try Program.run(ip, ["link", "del", lab.bridge], in: "/")
        #expect(try lab.traces() == [])
        let state = (try? String(contentsOfFile: "\(lab.dir)/lab/state.json", encoding: .utf8)) ?? ""
        #expect(!state.contains("\"namespace\""), "no machine was recorded: \(state)")

        // down with nothing up says so and succeeds.
        _ = try Program.run(ip, ["link", "del", "hwtdummy\(lab.octet)"], in: "/")
        let down = try lab.hardway(["lab", "down"])
        #expect(down.status == 0, "\(down)")
        #expect(down.stdout.contains("was not up"), "\(down)")
    }
}

import Foundation
import Shell
import ClusterModel
import PKI

/// Where a lab keeps its files: all under the cluster's directory, plain files a person can read.
public struct LabPaths: Sendable {
    /// The cluster's directory, absolute.
    public var directory: String
    /// The private key that logs in to every machine (`ssh.identityFile`, else `DIR/ssh/id_ed25519`).
    public var identityFile: String

    public init(directory: String, identityFile: String? = nil) {
        let absolute = directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
        self.directory = (absolute as NSString).standardizingPath
        self.identityFile = identityFile ?? "\(self.directory)/ssh/id_ed25519"
    }

    public var lab: String { "\(directory)/lab" }
    public var state: String { "\(lab)/state.json" }
    public var machines: String { "\(lab)/machines" }
    public var logs: String { "\(lab)/logs" }
    public var ssh: String { "\(directory)/ssh" }
    public var knownHosts: String { "\(ssh)/known_hosts" }
    public var sshConfig: String { "\(ssh)/config" }
}

/// Machines on one box: per host a network namespace on the cluster's bridge and a systemd-nspawn
/// container booted from the cached Debian root, reachable over ssh with strict host-key checking.
public final class Lab: @unchecked Sendable {
    public struct MachineReport: Codable, Sendable {
        public var host: String
        public var address: String
        /// created, kept (already running) or replaced (its address changed, or it had stopped).
        public var action: String
        public var pid: Int32?
        public var secondsToSSH: Double?
    }

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

    public struct MachineStatus: Codable, Sendable {
        public var host: String
        public var address: String
        /// running, stopped (in the state file, process gone) or absent.
        public var state: String
        public var ssh: Bool
        public var memoryBytes: UInt64?
        public var pid: Int32?
    }

    public struct DownReport: Codable, Sendable {
        public var stopped: [String]
        public var removed: [String]
        public var purged: String?
        public var seconds: Double
    }

    public let cluster: Cluster
    public let plan: LabPlan
    public let paths: LabPaths
    public let image: RootImage
    let progress: @Sendable (String) -> Void
    let stateFile: LabStateFile
    private let lock = NSLock()
    private var state: LabState

    public init(cluster: Cluster, paths: LabPaths, image: RootImage = RootImage(), progress: @escaping @Sendable (String) -> Void = { _ in }) throws {
        self.cluster = cluster
        self.plan = try LabPlan(cluster: cluster)
        self.paths = paths
        self.image = image
        self.progress = progress
        stateFile = LabStateFile(path: paths.state)
        state = try stateFile.load() ?? LabState(cluster: cluster.name)
        guard state.cluster == cluster.name else {
            throw LabError("\(paths.state) belongs to cluster \(state.cluster), not \(cluster.name)",
                           fix: "use another --dir for this cluster, or bring that lab down first")
        }
    }

    // MARK: up

    /// Makes every host of the cluster file a running machine; running machines are kept.
    public func up(mirror: String = RootImage.defaultMirror, timeout: TimeInterval = 120) throws -> UpReport {
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

    /// Everything the box already has that this lab would collide with, reported at once and
    /// before anything is made.
    func preflight(creating machines: [LabPlan.Machine]) throws {
        var problems: [String] = []
        let links = try HostNetwork.links()
        let ours = "hardway lab \(cluster.name)"
        if state.bridge == nil, let link = links.first(where: { $0.name == plan.bridge }) {
            problems.append(link.alias == ours
                ? "the bridge \(plan.bridge) of an earlier lab of \(cluster.name) is still on the box (its state file is gone): run `hardway lab down` for it first"
                : "a network interface named \(plan.bridge) already exists on this box (`ip link show \(plan.bridge)`): rename the cluster, or remove that interface")
        }
        let boxAddresses = try HostNetwork.addresses().filter { $0.interface != plan.bridge || state.bridge == nil }
        let wanted = [(plan.gateway, "the box's gateway on the bridge")] + machines.map { ($0.address, $0.host) }
        for (address, owner) in wanted {
            if let used = boxAddresses.first(where: { $0.address == address }) {
                problems.append("\(address) (\(owner)) is already an address of \(used.interface) on this box: choose other addresses in network.nodeCIDR")
            }
        }
        if state.bridge == nil {
            for route in try HostNetwork.routes() where route.device != plan.bridge && route.destination.overlaps(plan.subnet) {
                problems.append("network.nodeCIDR \(plan.subnet) overlaps \(route.destination) on \(route.device) (`ip route`): the box could not tell the lab from that network; choose another nodeCIDR")
            }
        }
        let namespaces = HostNetwork.namespaces()
        for machine in machines where namespaces.contains(machine.namespace) {
            problems.append("the network namespace \(machine.namespace) already exists (`ip netns list`): bring down the lab that made it, or `ip netns del \(machine.namespace)`")
        }
        for machine in machines where FileManager.default.fileExists(atPath: "\(paths.machines)/\(machine.host)/root/etc") {
            problems.append("\(paths.machines)/\(machine.host)/root is in use and not in the state file: run `hardway lab down` first")
        }
        guard problems.isEmpty else {
            throw LabError("lab \(cluster.name) cannot start; nothing was changed:\n  - " + problems.joined(separator: "\n  - "),
                           fix: "fix the points above and run `hardway lab up` again")
        }
    }

    /// With br_netfilter on, bridged frames pass iptables' FORWARD chain; a DROP policy there (Docker
    /// sets one) silently cuts the machines off from each other. The lab never edits the box's
    /// firewall, so it says what to run.
    func bridgeFilterWarning() -> String? {
        guard let flag = try? String(contentsOfFile: "/proc/sys/net/bridge/bridge-nf-call-iptables", encoding: .utf8),
              flag.hasPrefix("1"), let rules = try? Exec.run("iptables", ["-S", "FORWARD"]), rules.succeeded,
              rules.stdout.contains("-P FORWARD DROP") else { return nil }
        return "this box filters bridged traffic (br_netfilter) and drops forwarded packets by default: machines cannot reach each other until you run `iptables -I FORWARD -i \(plan.bridge) -o \(plan.bridge) -j ACCEPT`"
    }

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
            throw LabError("cannot read \(paths.identityFile).pub", fix: "check its permissions")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Creates the bridge with the box's gateway address; false when it was there already.
    func ensureBridge() throws -> Bool {
        if let bridge = state.bridge, try HostNetwork.links().contains(where: { $0.name == bridge }) { return false }
        progress("creating bridge \(plan.bridge) with the box's address \(plan.gateway)/\(plan.subnet.prefixLength)")
        try Exec.check("ip", ["link", "add", plan.bridge, "type", "bridge"])
        try record { $0.bridge = plan.bridge; $0.gateway = plan.gateway.description; $0.subnet = plan.subnet.description }
        try Exec.check("ip", ["link", "set", plan.bridge, "alias", "hardway lab \(cluster.name)"])
        try Exec.check("ip", ["addr", "add", "\(plan.gateway)/\(plan.subnet.prefixLength)", "dev", plan.bridge])
        try Exec.check("ip", ["link", "set", plan.bridge, "up"])
        return true
    }

    func removeBridge() throws {
        if try HostNetwork.links().contains(where: { $0.name == plan.bridge }) {
            try Exec.check("ip", ["link", "del", plan.bridge])
        }
        try record { $0.bridge = nil; $0.gateway = nil }
    }

    /// Root file system, files, network: everything a machine needs before it boots.
    func prepare(_ machine: LabPlan.Machine) throws {
        let fm = FileManager.default
        let directory = "\(paths.machines)/\(machine.host)"
        var record = LabState.Machine(host: machine.host, address: machine.address.description)
        record.machineName = machine.machineName
        record.console = "\(paths.logs)/\(machine.host).console.log"
        record.root = "\(directory)/root"
        record.created = Date()
        try update(record)
        // Leftovers of a machine that died with the box (not mounted, not recorded) are not reused.
        if fm.fileExists(atPath: directory), !Mounts.mountPoints().contains("\(directory)/root") {
            try fm.removeItem(atPath: directory)
        }
        for sub in ["upper", "work", "root", "containerd"] { try fm.createDirectory(atPath: "\(directory)/\(sub)", withIntermediateDirectories: true) }
        let overlay = Mounts.supportsOverlay ? try Exec.run("mount", ["-t", "overlay", "overlay", "-o",
                                                                     "lowerdir=\(image.root),upperdir=\(directory)/upper,workdir=\(directory)/work",
                                                                     "\(directory)/root"]) : nil
        if overlay?.succeeded == true {
            record.mounted = true
        } else {
            // No overlayfs here (or not on this file system, e.g. inside another overlay): a copy.
            progress("  \(machine.host): overlay mount not possible (\(overlay?.tail ?? "no overlayfs in this kernel")); copying the root instead")
            try Exec.check("cp", ["-a", "--reflink=auto", "\(image.root)/.", "\(directory)/root/"], what: "copying the lab root for \(machine.host)")
        }
        state.image = image.root
        try update(record)
        try writeMachineFiles(machine, root: "\(directory)/root")

        // Network: a namespace whose eth0 is one end of a veth pair on the bridge.
        try Exec.check("ip", ["netns", "add", machine.namespace])
        record.namespace = machine.namespace
        try update(record)
        let veth = try freeVethName()
        try Exec.check("ip", ["link", "add", veth, "type", "veth", "peer", "name", "eth0", "address", machine.mac, "netns", machine.namespace])
        record.veth = veth
        try update(record)
        try Exec.check("ip", ["link", "set", veth, "alias", "hardway lab \(cluster.name) \(machine.host)"])
        try Exec.check("ip", ["link", "set", veth, "master", plan.bridge, "up"])
        let inside = ["-n", machine.namespace]
        try Exec.check("ip", inside + ["addr", "add", "\(machine.address)/\(plan.subnet.prefixLength)", "dev", "eth0"])
        try Exec.check("ip", inside + ["link", "set", "eth0", "up"])
        try Exec.check("ip", inside + ["link", "set", "lo", "up"])
        // A default route on the link itself: Kubernetes components find the node's address from
        // it, and with no router behind it nothing leaves the box.
        try Exec.check("ip", inside + ["route", "add", "default", "dev", "eth0"])
        // Nothing answers the cloud metadata address here: say so at once (the kubelet's AWS credential
        // provider asks it at start and would wait 6 s for an ARP reply that never comes).
        try Exec.check("ip", inside + ["route", "add", "unreachable", "169.254.169.254/32"])

        for hierarchy in Cgroups.hierarchies() {
            let group = "\(hierarchy)/\(machine.cgroup)"
            try fm.createDirectory(atPath: group, withIntermediateDirectories: true)
            record.cgroups.append(group)
            try update(record)
            try Cgroups.fillCpuset(hierarchy: hierarchy, group: machine.cgroup)
        }
    }

    /// hostname, machine-id, /etc/hosts, the host key, the login key (and user).
    func writeMachineFiles(_ machine: LabPlan.Machine, root: String) throws {
        try (machine.host + "\n").write(toFile: "\(root)/etc/hostname", atomically: false, encoding: .utf8)
        var generator = SystemRandomNumberGenerator()
        let machineID = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
        try (machineID + "\n").write(toFile: "\(root)/etc/machine-id", atomically: false, encoding: .utf8)
        try plan.hostsFile().write(toFile: "\(root)/etc/hosts", atomically: false, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: "\(root)/etc/ssh/ssh_host_ed25519_key")
        try? FileManager.default.removeItem(atPath: "\(root)/etc/ssh/ssh_host_ed25519_key.pub")
        try Exec.check("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "root@\(machine.host)", "-f", "\(root)/etc/ssh/ssh_host_ed25519_key"],
                       what: "ssh-keygen for \(machine.host)'s host key")
        try LabNodeSupport.write(into: root)
        if cluster.ssh.port != 22 {
            try "Port \(cluster.ssh.port)\n".write(toFile: "\(root)/etc/ssh/sshd_config.d/hardway-port.conf", atomically: false, encoding: .utf8)
        }
        let user = cluster.ssh.user
        let key = try publicKey() + "\n"
        if user == "root" {
            try AtomicFile.makeDirectory("\(root)/root/.ssh", mode: 0o700)
            try AtomicFile.write(key, to: "\(root)/root/.ssh/authorized_keys", mode: 0o600)
        } else {
            // Like a cloud image: the login user, with sudo and no password.
            try Exec.check("chroot", [root, "useradd", "--create-home", "--shell", "/bin/bash", "--groups", "sudo", user],
                           what: "adding the ssh user \(user) to \(machine.host)")
            try AtomicFile.write("\(user) ALL=(ALL) NOPASSWD:ALL\n", to: "\(root)/etc/sudoers.d/hardway-lab", mode: 0o440)
            try AtomicFile.makeDirectory("\(root)/home/\(user)/.ssh", mode: 0o700)
            try AtomicFile.write(key, to: "\(root)/home/\(user)/.ssh/authorized_keys", mode: 0o600)
            try Exec.check("chroot", [root, "chown", "-R", "\(user):\(user)", "/home/\(user)/.ssh"], what: "handing \(user) its .ssh directory")
        }
    }

    func freeVethName() throws -> String {
        let taken = Set(try HostNetwork.links().map(\.name))
        for index in 0..<100 where !taken.contains(plan.vethName(index: index)) { return plan.vethName(index: index) }
        throw LabError("no free interface name \(plan.bridge)-N for another veth", fix: "bring some machines down")
    }

    /// Starts systemd-nspawn in the machine's namespace and cgroup, in a session of its own so it
    /// outlives this command; its console goes to `DIR/lab/logs/HOST.console.log`.
    func boot(_ machine: LabPlan.Machine) throws {
        guard var record = state[machine.host], let root = record.root, let console = record.console else { return }
        guard let nspawn = Exec.find("systemd-nspawn") else {
            throw LabError("systemd-nspawn is not installed", fix: "run `apt-get install -y systemd-container` or pass --install-prerequisites")
        }
        try? FileManager.default.removeItem(atPath: console)
        let join = record.cgroups.map { "echo $$ > '\($0)/cgroup.procs'" } + ["exec \"$0\" \"$@\""]
        let arguments = ["-c", join.joined(separator: " && "), nspawn,
                         "--quiet", "--boot", "--register=no", "--keep-unit", "--link-journal=no",
                         "--capability=all", "--console=read-only",
                         "--directory=\(root)", "--machine=\(machine.machineName)", "--hostname=\(machine.host)",
                         "--network-namespace-path=/run/netns/\(machine.namespace)"]
            + LabNodeSupport.nspawnArguments(machineDirectory: (root as NSString).deletingLastPathComponent)
        // The machine owns its network namespace, so its /proc/sys/net may be written (ip_forward,
        // the Kubernetes sysctls), as on a VM; the rest of /proc/sys stays read-only.
        let pid = try Exec.spawnSession("/bin/sh", arguments, log: console, environment: ["SYSTEMD_NSPAWN_API_VFS_WRITABLE": "network"])
        record.pid = pid
        record.startTime = ProcessTable.startTime(pid)
        try update(record)
    }

    /// Polls ssh on every machine in parallel until each answers with strict host-key checking.
    func waitForSSH(_ hosts: [String], timeout: TimeInterval) throws -> [String: Double] {
        let started = Date()
        let results = parallel(hosts) { [self] host -> (String, Double?, String) in
            let deadline = started.addingTimeInterval(timeout)
            var last = ""
            while Date() < deadline {
                if let record = recorded(host), !isRunning(record) {
                    return (host, nil, "its container stopped: " + consoleTail(record))
                }
                let probe = (try? ssh(host, ["true"], connectTimeout: 2)) ?? ExecResult(status: -1, stdout: "", stderr: "ssh did not run")
                if probe.succeeded {
                    let seconds = Date().timeIntervalSince(started)
                    progress(String(format: "  %@ answers on ssh after %.1f s", host, seconds))
                    return (host, seconds, "")
                }
                last = probe.tail
                usleep(200_000)
            }
            return (host, nil, "no ssh answer in \(Int(timeout)) s (last: \(last))")
        }
        let failed = results.filter { $0.1 == nil }
        guard failed.isEmpty else {
            throw LabError("machines did not come up: " + failed.map { "\($0.0): \($0.2)" }.joined(separator: "; "),
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

    // MARK: status

    public func status() -> [MachineStatus] {
        let hosts = plan.machines.map(\.host) + state.machines.map(\.host).filter { plan.machine($0) == nil }
        return parallel(hosts) { [self] host -> MachineStatus in
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

    // MARK: down

    /// Stops every machine, removes namespaces, veths, mounts, cgroups and the bridge; with
    /// `purge` also the cached root. Works from the state file, or, when it is gone, from the
    /// names and interface aliases the lab uses.
    public func down(purge: Bool) throws -> DownReport {
        let started = Date()
        if state.machines.isEmpty && state.bridge == nil { state = discover() }
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
                throw LabError("the lab root \(image.root) is still used by \(users.count) running machine\(users.count == 1 ? "" : "s") of another lab",
                               fix: "bring that lab down first, then run `hardway lab down --purge` again")
            }
            try image.purge()
            purged = image.directory
        }
        let leftovers = self.leftovers(machines)
        guard leftovers.isEmpty else {
            throw LabError("lab down left \(leftovers.joined(separator: ", "))", fix: "remove them by hand (`ip netns del`, `ip link del`, `umount`, `kill`), then run `hardway lab down` again")
        }
        return DownReport(stopped: running, removed: removed, purged: purged, seconds: Date().timeIntervalSince(started))
    }

    /// Stops machines (SIGTERM to systemd-nspawn: an orderly shutdown; SIGKILL to what is left
    /// after 20 s) and removes everything recorded for them.
    func dismantle(_ machines: [LabState.Machine]) throws {
        guard !machines.isEmpty else { return }
        // Connections `hardway apply` keeps open to these machines go first.
        _ = parallel(machines) { [cluster] machine in SSHControl.close(user: cluster.ssh.user, address: machine.address, port: cluster.ssh.port) }
        for machine in machines where isRunning(machine) {
            if let pid = machine.pid { kill(pid, SIGTERM) }
        }
        let deadline = Date().addingTimeInterval(20)
        while machines.contains(where: isRunning), Date() < deadline { usleep(100_000) }
        for machine in machines {
            if isRunning(machine), let pid = machine.pid { kill(pid, SIGKILL) }
            for group in machine.cgroups { for pid in Cgroups.processes(in: group) { kill(pid, SIGKILL) } }
        }
        let settle = Date().addingTimeInterval(5)
        while machines.contains(where: { $0.cgroups.contains { !Cgroups.processes(in: $0).filter { ProcessTable.isRunning($0, startTime: nil) }.isEmpty } }),
              Date() < settle { usleep(50_000) }

        var problems: [String] = []
        let mountPoints = Set(Mounts.mountPoints())
        for var machine in machines {
            // The mount table, not the record, says whether to unmount: an up killed right after
            // `mount` had no time to write it down.
            if let root = machine.root, machine.mounted || mountPoints.contains(root) {
                machine.mounted = true
                var result = try Exec.run("umount", [root])
                if !result.succeeded, Mounts.mountPoints().contains(root) { usleep(300_000); result = try Exec.run("umount", [root]) }
                if !result.succeeded, Mounts.mountPoints().contains(root) { problems.append("unmounting \(root): \(result.tail)") }
                else { machine.mounted = false }
            }
            machine.cgroups = machine.cgroups.filter { !Cgroups.remove($0) }
            if let namespace = machine.namespace {
                if HostNetwork.namespaces().contains(namespace) {
                    let result = try Exec.run("ip", ["netns", "del", namespace])
                    if !result.succeeded { problems.append("deleting namespace \(namespace): \(result.tail)") }
                }
                machine.namespace = nil
            }
            if let veth = machine.veth {
                if try HostNetwork.links().contains(where: { $0.name == veth }) { _ = try Exec.run("ip", ["link", "del", veth]) }
                machine.veth = nil
            }
            if let name = machine.machineName { try? FileManager.default.removeItem(atPath: "/run/systemd/nspawn/propagate/\(name)") }
            if !machine.mounted {
                try? FileManager.default.removeItem(atPath: "\(paths.machines)/\(machine.host)")
                try record { $0[machine.host] = nil }
            } else {
                try update(machine)
            }
        }
        guard problems.isEmpty else {
            throw LabError("could not remove everything: " + problems.joined(separator: "; "), fix: "run `hardway lab down` again")
        }
    }

    /// What the lab made, found by its names when the state file is gone.
    func discover() -> LabState {
        var found = LabState(cluster: cluster.name)
        let links = (try? HostNetwork.links()) ?? []
        let namespaces = HostNetwork.namespaces()
        let mounts = Set(Mounts.mountPoints())
        if links.contains(where: { $0.name == plan.bridge && $0.alias == "hardway lab \(cluster.name)" }) { found.bridge = plan.bridge }
        for machine in plan.machines {
            var record = LabState.Machine(host: machine.host, address: machine.address.description)
            record.machineName = machine.machineName
            record.namespace = namespaces.contains(machine.namespace) ? machine.namespace : nil
            record.veth = links.first { $0.alias == "hardway lab \(cluster.name) \(machine.host)" }?.name
            record.root = "\(paths.machines)/\(machine.host)/root"
            record.mounted = mounts.contains(record.root!)
            record.cgroups = Cgroups.hierarchies().map { "\($0)/\(machine.cgroup)" }.filter { FileManager.default.fileExists(atPath: $0) }
            if record.namespace != nil || record.veth != nil || record.mounted || !record.cgroups.isEmpty {
                found.machines.append(record)
            }
        }
        return found
    }

    /// Namespaces, links, mounts and processes of these machines still on the box.
    func leftovers(_ machines: [LabState.Machine]) -> [String] {
        var found: [String] = []
        let namespaces = HostNetwork.namespaces()
        let links = (try? HostNetwork.links()) ?? []
        let mounts = Mounts.mountPoints()
        for machine in plan.machines where namespaces.contains(machine.namespace) { found.append("namespace \(machine.namespace)") }
        for link in links where link.alias == "hardway lab \(cluster.name)" || (link.alias ?? "").hasPrefix("hardway lab \(cluster.name) ") { found.append("link \(link.name)") }
        for mount in mounts where mount.hasPrefix(paths.machines + "/") { found.append("mount \(mount)") }
        for machine in machines where isRunning(machine) { found.append("process \(machine.pid ?? 0) (\(machine.host))") }
        for group in Cgroups.hierarchies().map({ "\($0)/hardway/\(cluster.name)" }) {
            for pid in Cgroups.processes(in: group) where ProcessTable.isRunning(pid, startTime: nil) { found.append("process \(pid) in \(group)") }
        }
        return found
    }

    // MARK: state

    func isRunning(_ machine: LabState.Machine) -> Bool {
        guard let pid = machine.pid else { return false }
        return ProcessTable.isRunning(pid, startTime: machine.startTime)
    }

    func recorded(_ host: String) -> LabState.Machine? {
        lock.lock()
        defer { lock.unlock() }
        return state[host]
    }

    func update(_ machine: LabState.Machine) throws {
        try record { $0[machine.host] = machine }
    }

    func record(_ change: (inout LabState) -> Void) throws {
        lock.lock()
        defer { lock.unlock() }
        change(&state)
        try stateFile.save(state)
    }

    public var recordedMachines: [LabState.Machine] { lock.lock(); defer { lock.unlock() }; return state.machines }
}

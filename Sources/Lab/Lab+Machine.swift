import Foundation
import PKI
import Shell

/// A machine's root file system, its files, and its boot under systemd-nspawn.
extension Lab {
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
        try self.record { $0.image = image.root; $0[machine.host] = record }
        try writeMachineFiles(machine, root: "\(directory)/root")

        try attachNetwork(machine, record: &record)

        for hierarchy in Cgroups.hierarchies() {
            let group = "\(hierarchy)/\(machine.cgroup)"
            try fm.createDirectory(atPath: group, withIntermediateDirectories: true)
            record.cgroups.append(group)
            try update(record)
            try Cgroups.delegateControllers(hierarchy: hierarchy, group: machine.cgroup)
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

    /// Starts systemd-nspawn in the machine's namespace and cgroup, in a session of its own so it
    /// outlives this command; its console goes to `DIR/lab/logs/HOST.console.log`.
    func boot(_ machine: LabPlan.Machine) throws {
        guard var record = state[machine.host], let root = record.root, let console = record.console else { return }
        guard let nspawn = Exec.find("systemd-nspawn") else {
            throw LabError(.missingProgram, "systemd-nspawn is not installed", fix: "run `apt-get install -y systemd-container` or pass --install-prerequisites")
        }
        try? FileManager.default.removeItem(atPath: console)
        let join = record.cgroups.map { "echo $$ > \(shellQuote($0 + "/cgroup.procs"))" } + ["exec \"$0\" \"$@\""]
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
}

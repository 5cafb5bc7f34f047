import ArgumentParser
import Foundation
import Lab
import Binaries

/// `hardway lab up`: every host of the cluster file a running machine.
struct LabUp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "start a machine for every host of the cluster file (running ones are kept)",
        usage: UsageLine.wrapped("hardway lab up", "[--file <file>] [--dir <dir>] [--install-prerequisites] [--mirror <url>] [--timeout <seconds>] [--output <format>]"),
        discussion: """
        Builds the cached Debian 12 root first when there is none (about a minute, once). Then per host: \
        a network namespace with the host's address on eth0, joined to the bridge hw-<name>; a \
        systemd-nspawn container booted in it; sshd with its own host key, written to <dir>/ssh/known_hosts, \
        and the lab key (<dir>/ssh/id_ed25519, or ssh.identityFile) allowed to log in as ssh.user. \
        <dir>/ssh/config lists every machine, so `ssh -F <dir>/ssh/config HOST` works with strict \
        host-key checking. Each machine also gets what a kubelet, containerd and kube-proxy need of a VM (its own \
        group in every cgroup v1 controller, writable inside it, a box directory for /var/lib/containerd, \
        /dev/kmsg, the kubelet's kernel settings as files, the keyring system calls, and a kube-proxy drop-in \
        for the box's conntrack table, which `plan` and `apply` show): the README's lab section says why. \
        The cluster's binaries directory (binaries.dir, else <dir>/binaries) is filled \
        with containerd, runc, the CNI plugins and (when etcdVersion is Debian's) etcd from Debian's packages; \
        `hardway binaries build` adds Kubernetes' own.

        Examples:
          sudo hardway lab up -f lab.yaml
          sudo hardway lab up -f lab.yaml --install-prerequisites
          sudo hardway lab up -f lab.yaml -o json | jq '.lab.machines[] | .host'
        """
    )

    @OptionGroup var options: LabOptions

    @Flag(help: "install what the box lacks (systemd-container, debootstrap, …) with apt-get (containerd, runc, the CNI plugins and etcd come from Debian's packages either way: downloaded and unpacked when the box has not installed them, never installed)")
    var installPrerequisites = false

    @Option(help: ArgumentHelp("the Debian mirror debootstrap builds the root from", valueName: "url"))
    var mirror: String = RootImage.defaultMirror

    @Option(help: ArgumentHelp("seconds to wait for every machine to answer on ssh", valueName: "seconds"))
    var timeout: Int = 120

    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var lab: Lab.UpReport
        var binaries: BinariesBuild.Report
    }

    func run() async throws {
        try requirePrerequisites(install: installPrerequisites)
        let (cluster, lab, directory) = try options.lab()
        let report = try labbing { try lab.up(mirror: mirror, timeout: TimeInterval(timeout)) }
        let binaries = try building { try directory.binariesBuild(for: cluster).runDebianOnly() }
        try output.print(Report(lab: report, binaries: binaries)) {
            var table = TextTable(["MACHINE", "ADDRESS", "ACTION", "SSH AFTER"])
            for machine in report.machines {
                table.add([machine.host, machine.address, machine.action, machine.secondsToSSH.map { String(format: "%.1f s", $0) } ?? "-"])
            }
            Terminal.out(table.render())
            Terminal.out()
            if report.imageBuilt { Terminal.out(String(format: "built the lab root in %.0f s (%@)", report.imageSeconds, lab.image.root)) }
            if !report.removed.isEmpty { Terminal.out("removed: \(report.removed.joined(separator: ", ")) (no longer in the cluster file)") }
            Terminal.out(String(format: "lab %@ is up in %.1f s: bridge %@, this box is %@ on it", cluster.name, report.seconds, report.bridge, report.gateway))
            Terminal.out("  ssh:    ssh -F \(report.sshConfig) \(cluster.hosts.first?.name ?? "HOST")   (or: hardway lab ssh HOST -f \(options.cluster.file))")
            Terminal.out()
            BinariesBuildCommand.print(binaries)
            if let missing = binaries.missing, !missing.isEmpty {
                Terminal.out("not there yet: \(missing.map(\.name).joined(separator: ", ")): run `hardway binaries build -f \(options.cluster.file)`")
            }
            Terminal.out()
            Terminal.out("next: hardway pki issue -f \(options.cluster.file), then hardway render -f \(options.cluster.file)")
        }
    }
}

import ArgumentParser
import Foundation
import ClusterModel
import Lab
import Phases
import Shell

/// `hardway bench apply`: apply on the lab against the tutorials' way, scripted.
struct BenchApply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "time apply --until loadbalancer on lab machines, a no-op re-apply, and the tutorials' one-file-at-a-time way",
        discussion: """
        Makes a lab of its own (the lab example's 6 hosts on 10.253.0.0/24, in a temporary directory), issues \
        its PKI and renders it. Then, on fresh machines each time: hardway apply --until loadbalancer, a second \
        apply with nothing changed, and the way the tutorials do it, scripted: for each host in turn one scp per \
        file and binary, then one ssh per host to reload systemd and start its units (etcd with --no-block, as \
        the tutorials start the members side by side), then waiting until etcd is healthy and HAProxy listens. \
        Both end in the same state. Needs root and the lab's prerequisites.

        Examples:
          sudo hardway bench apply
          sudo hardway bench apply --output json
        """
    )

    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var hosts: Int
        var cpus: Int
        var applySeconds: Double
        var noOpSeconds: Double
        var sequentialSeconds: Double
        var sequentialCommands: Int
        var ratio: Double
    }

    func run() async throws {
        try requirePrerequisites(install: false)
        let bench = try BenchCluster(name: "apply", text: Self.clusterText)
        defer { bench.remove() }
        Terminal.err("making the bench lab, its PKI and files")
        for arguments in [["lab", "up"], ["pki", "issue"], ["render"]] { try bench.step(arguments) }

        Terminal.err("hardway apply --until loadbalancer")
        let apply = try bench.step(["apply", "--until", "loadbalancer"]).seconds
        Terminal.err("hardway apply again, nothing changed")
        let noOp = try bench.step(["apply", "--until", "loadbalancer"]).seconds

        Terminal.err("fresh machines for the sequential way")
        try bench.step(["lab", "down"])
        try bench.step(["lab", "up"])
        let cluster = try BenchCluster.resolve(Self.clusterText)
        Terminal.err("the tutorials' way: one scp per file, one host after another")
        let (sequential, commands) = try sequentialWay(cluster: cluster, dir: bench.dir)

        let report = Report(hosts: cluster.hosts.count, cpus: ProcessInfo.processInfo.activeProcessorCount, applySeconds: apply,
                            noOpSeconds: noOp, sequentialSeconds: sequential, sequentialCommands: commands, ratio: sequential / apply)
        try output.print(report) {
            var table = TextTable(["WAY", "SECONDS"])
            table.add(["hardway apply --until loadbalancer (\(cluster.hosts.count) hosts)", String(format: "%.1f", apply)])
            table.add(["hardway apply again, nothing changed", String(format: "%.1f", noOp)])
            table.add(["sequential scp/ssh (\(commands) commands)", String(format: "%.1f", sequential)])
            Terminal.out(table.render())
            Terminal.out(String(format: "hardway is %.1f× faster than the sequential way (%d cpus)", report.ratio, report.cpus))
        }
    }

    /// The tutorials' loop: every file and binary with its own scp, host after host, then one ssh per
    /// host to start its units; then the same gates apply uses.
    func sequentialWay(cluster: Cluster, dir: String) throws -> (Double, Int) {
        let ssh = ["-F", "\(dir)/ssh/config", "-o", "BatchMode=yes", "-o", "ControlMaster=no", "-o", "ControlPath=none"]
        var commands = 0
        func run(_ program: String, _ arguments: [String]) throws {
            commands += 1
            let result = try Exec.run(program, arguments)
            guard result.succeeded else { throw CLIError("bench: \(program) \(arguments.suffix(2).joined(separator: " ")) failed: \(result.tail)") }
        }
        let started = Date()
        for machine in cluster.hosts {
            let root = "\(dir)/nodes/\(machine.name)"
            let manifest = (try? String(contentsOfFile: "\(root)/MANIFEST", encoding: .utf8)) ?? ""
            let files = manifest.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
            let directories = Set(files.map { ($0 as NSString).deletingLastPathComponent })
            try run("ssh", ssh + [machine.name, "mkdir -p " + directories.sorted().joined(separator: " ")])
            for path in files { try run("scp", ["-p", "-q"] + ssh + ["\(root)\(path)", "\(machine.name):\(path)"]) }
            if cluster.etcdMembers.contains(where: { $0.name == machine.name }) {
                for binary in ["etcd", "etcdctl"] { try run("scp", ["-p", "-q"] + ssh + ["\(dir)/binaries/\(binary)", "\(machine.name):/usr/local/bin/\(binary)"]) }
            }
        }
        for machine in cluster.hosts {
            var units = ["hardway-pod-routes"]
            if cluster.etcdMembers.contains(where: { $0.name == machine.name }) { units.append("etcd") }
            if cluster.loadBalancer.host?.name == machine.name { units.append("haproxy") }
            try run("ssh", ssh + [machine.name, "systemctl daemon-reload && systemctl enable --quiet \(units.joined(separator: " ")) && systemctl restart --no-block \(units.joined(separator: " "))"])
        }
        // Then the tutorials' waits, an ssh every 0.3 s, 90 s for both: until etcd is healthy and
        // HAProxy listens (a wait that runs out ends the way too; its time counts).
        let deadline = Date().addingTimeInterval(90)
        func wait(on host: String, _ command: String, until done: (ExecResult) -> Bool) throws {
            _ = try Poll.until(timeout: deadline.timeIntervalSinceNow, every: 0.3) { () throws -> Bool? in
                commands += 1
                return done(try Exec.run("ssh", ssh + [host, command])) ? true : nil
            }
        }
        let etcdctl = NodeCommands.etcdctl(endpoints: cluster.etcdClientURLs.joined(separator: ","))
        try wait(on: cluster.etcdMembers[0].name, "\(etcdctl) endpoint health 2>&1") {
            $0.stdout.components(separatedBy: "is healthy").count - 1 == cluster.etcdMembers.count
        }
        if let lb = cluster.loadBalancer.host {
            try wait(on: lb.name, "ss -Htln | grep -q '\(lb.address):\(cluster.api.port)'") { $0.succeeded }
        }
        return (Date().timeIntervalSince(started), commands)
    }

    static let clusterText = BenchCluster.labText(name: "benchapply", subnet: "10.253.0", settings: ["pki: { keyAlgorithm: ecdsa-p256 }"])
}

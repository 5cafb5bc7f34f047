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

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("text or json", valueName: "format"))
    var output: OutputFormat = .text

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
        let dir = bench.dir
        func step(_ arguments: [String]) throws -> Double { try bench.step(arguments).seconds }
        Terminal.err("making the bench lab, its PKI and files")
        for arguments in [["lab", "up"], ["pki", "issue"], ["render"]] { _ = try step(arguments) }

        Terminal.err("hardway apply --until loadbalancer")
        let apply = try step(["apply", "--until", "loadbalancer"])
        Terminal.err("hardway apply again, nothing changed")
        let noOp = try step(["apply", "--until", "loadbalancer"])

        Terminal.err("fresh machines for the sequential way")
        _ = try step(["lab", "down"])
        _ = try step(["lab", "up"])
        let resolution = ClusterResolver.resolve(text: Self.clusterText)
        guard let cluster = resolution.cluster else { throw CLIError("bench cluster did not resolve") }
        Terminal.err("the tutorials' way: one scp per file, one host after another")
        let (sequential, commands) = try sequentialWay(cluster: cluster, dir: dir)

        let report = Report(hosts: cluster.hosts.count, cpus: ProcessInfo.processInfo.activeProcessorCount, applySeconds: apply,
                            noOpSeconds: noOp, sequentialSeconds: sequential, sequentialCommands: commands, ratio: sequential / apply)
        if output == .json {
            try JSON.print(report)
            return
        }
        var table = TextTable(["WAY", "SECONDS"])
        table.add(["hardway apply --until loadbalancer (\(cluster.hosts.count) hosts)", String(format: "%.1f", apply)])
        table.add(["hardway apply again, nothing changed", String(format: "%.1f", noOp)])
        table.add(["sequential scp/ssh (\(commands) commands)", String(format: "%.1f", sequential)])
        Terminal.out(table.render())
        Terminal.out(String(format: "hardway is %.1f× faster than the sequential way (%d cpus)", report.ratio, report.cpus))
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
        let first = cluster.etcdMembers[0].name
        let etcdctl = NodeCommands.etcdctl(endpoints: cluster.etcdClientURLs.joined(separator: ","))
        let deadline = Date().addingTimeInterval(90)
        while Date() < deadline {
            commands += 1
            let health = try Exec.run("ssh", ssh + [first, "\(etcdctl) endpoint health 2>&1"])
            if health.stdout.components(separatedBy: "is healthy").count - 1 == cluster.etcdMembers.count { break }
            usleep(300_000)
        }
        if let lb = cluster.loadBalancer.host {
            while Date() < deadline {
                commands += 1
                if (try Exec.run("ssh", ssh + [lb.name, "ss -Htln | grep -q '\(lb.address):\(cluster.api.port)'"])).succeeded { break }
                usleep(300_000)
            }
        }
        return (Date().timeIntervalSince(started), commands)
    }

    static let clusterText = """
    apiVersion: hardway/v1
    kind: Cluster
    name: benchapply
    kubernetesVersion: v1.20.2
    etcdVersion: v3.4.23              # Debian's etcd, which lab up puts in the binaries directory
    network: { nodeCIDR: 10.253.0.0/24, podCIDR: 10.200.0.0/16, serviceCIDR: 10.32.0.0/24 }
    api: { endpoint: 10.253.0.5 }
    loadBalancer: { kind: haproxy, host: lb-0 }
    pki: { keyAlgorithm: ecdsa-p256 }
    ssh: { user: root }
    hosts:
      - { name: lb-0, address: 10.253.0.5, roles: [loadbalancer] }
      - { name: master-0, address: 10.253.0.10, roles: [controller] }
      - { name: master-1, address: 10.253.0.11, roles: [controller] }
      - { name: master-2, address: 10.253.0.12, roles: [controller] }
      - { name: worker-0, address: 10.253.0.20, roles: [worker] }
      - { name: worker-1, address: 10.253.0.21, roles: [worker] }
    """
}

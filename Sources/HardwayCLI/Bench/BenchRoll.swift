import ArgumentParser
import Foundation
import Phases
import Shell

/// `hardway bench roll`: a renewal roll of the API servers timed end to end, requests counted.
struct BenchRoll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roll",
        abstract: "time a renewal roll of 3 API servers behind the load balancer, and count failed requests",
        usage: UsageLine.wrapped("hardway bench roll", "[--load-balancer <kind>] [--runs <n>] [--keep] [--output <format>]"),
        discussion: """
        Makes a cluster of its own (the lab example's 6 hosts on 10.250.0.0/24, the chosen load \
        balancer, in a temporary directory) and brings it up (not counted). Then, while this box \
        reads through the endpoint without pause (one connection per request, the API server's name \
        verified), it renews the API server certificate and times `pki issue --renew kube-apiserver`, \
        `render` and `apply`, which restarts the three API servers one at a time: the roll's \
        seconds, its control-plane phase's, and the requests sent and failed. Then it removes the \
        machines. Needs root and the lab's prerequisites.

        Examples:
          sudo hardway bench roll
          sudo hardway bench roll --load-balancer nginx --runs 3 --output json
          sudo hardway bench roll --keep          # then roll it again by hand
        """
    )

    @Option(help: ArgumentHelp("haproxy or nginx", valueName: "kind"))
    var loadBalancer = "haproxy"

    @Option(help: ArgumentHelp("rolls to time, one after the other (default 1)", valueName: "n"))
    var runs = 1

    @Flag(help: "leave the cluster up afterwards (its file and directory are printed), to look at it or roll it again by hand")
    var keep = false

    @OptionGroup var output: OutputOptions

    struct Roll: Encodable {
        var seconds: Double
        var controlPlaneSeconds: Double
        var requests: Int
        var failed: Int
        var lastError: String?
    }

    struct Report: Encodable {
        var loadBalancer: String
        var controllers: Int
        var cpus: Int
        var rolls: [Roll]
    }

    func validate() throws {
        guard ["haproxy", "nginx"].contains(loadBalancer) else { throw ValidationError("--load-balancer is haproxy or nginx") }
        guard (1...10).contains(runs) else { throw ValidationError("--runs takes 1 to 10") }
    }

    func run() async throws {
        try requirePrerequisites(install: false)
        let text = BenchCluster.labText(name: "benchroll", subnet: "10.250.0", settings: ["pki: { keyAlgorithm: ecdsa-p256 }", "addons: { dns: false }"])
            .replacingOccurrences(of: "kind: haproxy", with: "kind: \(loadBalancer)")
        let cluster = try BenchCluster.resolve(text)
        let bench = try BenchCluster(name: "roll", text: text)
        defer {
            if keep {
                Terminal.err("kept: hardway -f \(bench.file) --dir \(bench.dir) …; take it down with `hardway lab down -f \(bench.file) --dir \(bench.dir)`")
            } else {
                bench.remove()
            }
        }
        Terminal.err("bringing the cluster up (not counted)")
        let prepare = try Exec.run(bench.hardway, ["lab", "prepare"])
        guard prepare.succeeded else { throw CLIError("bench: hardway lab prepare failed: \(prepare.tail)") }
        for arguments in [["binaries", "build"], ["lab", "up"], ["pki", "issue"], ["render"], ["apply"]] { try bench.step(arguments) }

        var rolls: [Roll] = []
        for index in 1...runs {
            Terminal.err("roll \(index) of \(runs): renewing kube-apiserver's certificate while this box reads through the endpoint")
            let loop = try RequestLoop(cluster: cluster, pki: "\(bench.dir)/pki")
            loop.start()
            let started = Date()
            try bench.step(["pki", "issue", "--renew", "kube-apiserver"])
            try bench.step(["render"])
            let (_, stdout) = try bench.step(["apply", "-o", "json"])
            let seconds = Date().timeIntervalSince(started)
            Poll.sleep(seconds: 2)
            loop.stop()
            let phases = (try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])?["phases"] as? [[String: Any]] ?? []
            let controlPlane = phases.first { $0["phase"] as? String == "control-plane" }?["seconds"] as? Double ?? 0
            let counts = loop.counts
            rolls.append(Roll(seconds: seconds, controlPlaneSeconds: controlPlane, requests: counts.total, failed: counts.failed, lastError: counts.lastError))
        }
        let report = Report(loadBalancer: loadBalancer, controllers: cluster.controllers.count, cpus: ProcessInfo.processInfo.activeProcessorCount, rolls: rolls)
        try output.print(report) {
            var table = TextTable(["ROLL", "SECONDS", "CONTROL PLANE", "REQUESTS", "FAILED"])
            for (index, roll) in rolls.enumerated() {
                table.add(["\(index + 1)", String(format: "%.1f", roll.seconds), String(format: "%.1f", roll.controlPlaneSeconds), "\(roll.requests)", "\(roll.failed)"])
            }
            Terminal.out(table.render())
            let failed = rolls.reduce(0) { $0 + $1.failed }
            Terminal.out(String(format: "\n%d controllers behind %@: a renewal roll in %.1f s (median of %d), %d requests failed%@", report.controllers, loadBalancer,
                                median(rolls.map(\.seconds)), rolls.count, failed, rolls.last?.lastError.map { " (last: \($0))" } ?? ""))
        }
    }

    func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}

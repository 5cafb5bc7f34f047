import ArgumentParser
import Foundation
import Shell

/// `hardway bench up`: nothing to a smoke-tested cluster on lab machines, timed.
struct BenchUp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "time nothing to a Ready, smoke-tested cluster on 6 lab machines, phase by phase, and its memory",
        discussion: """
        Makes a cluster of its own (the lab example's 6 hosts on 10.254.0.0/24, in a temporary directory) and \
        times each step of `hardway up` with warm caches (the lab root and the Kubernetes build are made \
        first and not counted): binaries build, lab up, pki issue, render, apply (and each of its phases), \
        check, and the smoke test; then apply again with nothing changed (timed apart). Then the whole cluster's memory: the proportional set size (PSS) of every \
        process of every machine. Then it removes the machines. Needs root and the lab's prerequisites.

        Examples:
          sudo hardway bench up
          sudo hardway bench up --output json | jq '.steps'
        """
    )

    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var hosts: Int
        var cpus: Int
        var steps: [Step]
        var phases: [Step]
        var totalSeconds: Double
        /// `apply` again once the cluster is up, nothing changed (not in the total).
        var noOpApplySeconds: Double
        var memoryBytes: UInt64
        var perMachineBytes: [String: UInt64]
    }

    struct Step: Encodable {
        var name: String
        var seconds: Double
    }

    static let clusterText = BenchCluster.labText(name: "benchup", subnet: "10.254.0",
                                                  settings: ["pki: { keyAlgorithm: ecdsa-p256 }", "addons: { dns: false }"])

    func run() async throws {
        try requirePrerequisites(install: false)
        let bench = try BenchCluster(name: "up", text: Self.clusterText)
        defer { bench.remove() }
        let step = bench.step
        Terminal.err("warming the caches: the lab root and the Kubernetes build (not counted)")
        let prepare = try Exec.run(bench.hardway, ["lab", "prepare"])
        guard prepare.succeeded else { throw CLIError("bench: hardway lab prepare failed: \(prepare.tail)") }
        _ = try step(["binaries", "build"])
        try? FileManager.default.removeItem(atPath: "\(bench.dir)/binaries")

        var steps: [Step] = []
        var phases: [Step] = []
        for (name, arguments) in [("binaries build", ["binaries", "build"]), ("lab up", ["lab", "up"]), ("pki issue", ["pki", "issue"]),
                                  ("render", ["render"]), ("apply", ["apply", "-o", "json"]), ("check", ["check"]),
                                  ("smoke test", ["check", "--smoke", "--only-smoke"])] {
            Terminal.err("hardway \(arguments.joined(separator: " "))")
            let (seconds, stdout) = try step(arguments)
            steps.append(Step(name: name, seconds: seconds))
            if name == "apply", let report = try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] {
                for phase in report["phases"] as? [[String: Any]] ?? [] {
                    phases.append(Step(name: phase["phase"] as? String ?? "?", seconds: phase["seconds"] as? Double ?? 0))
                }
            }
        }
        Terminal.err("hardway apply (again, nothing changed; not in the total)")
        let (noOp, _) = try step(["apply"])
        let (_, status) = try step(["lab", "status", "-o", "json"])
        var memory: [String: UInt64] = [:]
        for row in (try? JSONSerialization.jsonObject(with: Data(status.utf8)) as? [[String: Any]]) ?? [] {
            if let host = row["host"] as? String { memory[host] = (row["memoryBytes"] as? NSNumber)?.uint64Value ?? 0 }
        }
        let report = Report(hosts: memory.count, cpus: ProcessInfo.processInfo.activeProcessorCount, steps: steps, phases: phases,
                            totalSeconds: steps.reduce(0) { $0 + $1.seconds }, noOpApplySeconds: noOp, memoryBytes: memory.values.reduce(0, +), perMachineBytes: memory)
        try output.print(report) {
            var table = TextTable(["STEP", "SECONDS"])
            for step in steps {
                table.add([step.name, String(format: "%.1f", step.seconds)])
                if step.name == "apply" { for phase in phases { table.add(["  \(phase.name)", String(format: "%.1f", phase.seconds)]) } }
            }
            Terminal.out(table.render())
            Terminal.out(String(format: "\na no-op re-apply (every phase, nothing changed): %.1f s", report.noOpApplySeconds))
            Terminal.out(String(format: "\nnothing to a Ready, smoke-tested cluster of %d machines in %.1f s (%d cpus); its memory (PSS): %@ (%@)",
                                report.hosts, report.totalSeconds, report.cpus, megabytes(report.memoryBytes),
                                memory.sorted { $0.key < $1.key }.map { "\($0.key) \(megabytes($0.value))" }.joined(separator: ", ")))
        }
    }
}

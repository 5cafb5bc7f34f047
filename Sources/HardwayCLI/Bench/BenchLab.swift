import ArgumentParser
import Foundation
import ClusterModel
import Lab

/// `hardway bench lab`: how fast machines come up, what an idle one costs, how fast they go.
struct BenchLab: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "time a lab of N machines from nothing to reachable by ssh, its idle memory, and its teardown",
        usage: UsageLine.wrapped("hardway bench lab", "[--machines <n>] [--cold] [--idle <seconds>] [--output <format>]"),
        discussion: """
        Uses a cluster of its own (1 load balancer, 3 controllers, the rest workers) on 10.252.0.0/24 in a \
        temporary directory, so a lab you run is not touched. Warm: the cached root is used (built first, \
        and reported apart, when missing). --cold builds a root of its own in a temporary cache and \
        removes it after: that needs the Debian mirror. Needs root.

        Examples:
          sudo hardway bench lab
          sudo hardway bench lab --machines 10 --idle 20
          sudo hardway bench lab --cold --output json
        """
    )

    @Option(help: ArgumentHelp("number of machines (at least 2)", valueName: "n"))
    var machines: Int = 6

    @Flag(help: "build a fresh root first (debootstrap from the mirror) and include it in the time")
    var cold = false

    @Option(help: ArgumentHelp("seconds to let the machines settle before reading their memory", valueName: "seconds"))
    var idle: Int = 10

    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var machines: Int
        var cold: Bool
        var cpus: Int
        var rootBuildSeconds: Double?
        var upSeconds: Double
        var slowestSSHSeconds: Double
        var idleMemoryPerMachineMiB: Double
        var downSeconds: Double
    }

    func run() async throws {
        guard (2...60).contains(machines) else { throw CLIError("--machines must be between 2 and 60") }
        try requirePrerequisites(install: false)
        let scratch = NSTemporaryDirectory() + "hardway-bench-lab-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let image = cold ? RootImage(base: "\(scratch)/cache") : RootImage()
        var rootBuild: Double?
        if !image.isReady {
            Terminal.err(cold ? "cold: building a fresh root in \(image.base)" : "the cached root is missing: building it first (not part of the warm time)")
            let started = Date()
            _ = try labbing { try image.ensure(progress: { Terminal.err($0) }) }
            rootBuild = Date().timeIntervalSince(started)
        }
        let cluster = try BenchCluster.resolve(BenchCluster.labText(name: "bench", subnet: "10.252.0", machines: machines))
        let lab = try labbing { try Lab(cluster: cluster, paths: LabPaths(directory: "\(scratch)/bench"), image: image, progress: { Terminal.err($0) }) }
        do {
            let up = try labbing { try lab.up() }
            Terminal.err("letting \(machines) machines idle for \(idle) s")
            sleep(UInt32(max(0, idle)))
            let status = lab.status()
            let memory = status.compactMap(\.memoryBytes)
            let down = try labbing { try lab.down(purge: cold) }
            let report = Report(machines: machines, cold: cold, cpus: ProcessInfo.processInfo.activeProcessorCount,
                                rootBuildSeconds: rootBuild, upSeconds: up.seconds,
                                slowestSSHSeconds: up.machines.compactMap(\.secondsToSSH).max() ?? 0,
                                idleMemoryPerMachineMiB: memory.isEmpty ? 0 : Double(memory.reduce(0, +)) / Double(memory.count) / 1_048_576,
                                downSeconds: down.seconds)
            try output.print(report) {
                var table = TextTable(["MEASURE", "VALUE"])
                if let rootBuild { table.add([cold ? "root build (debootstrap, cold)" : "root build (was missing)", String(format: "%.1f s", rootBuild)]) }
                table.add(["\(machines) machines up and answering ssh", String(format: "%.1f s", up.seconds)])
                table.add(["slowest machine to answer ssh", String(format: "%.1f s", report.slowestSSHSeconds)])
                table.add(["idle memory per machine (PSS, after \(idle) s)", String(format: "%.1f MiB", report.idleMemoryPerMachineMiB)])
                table.add(["lab down", String(format: "%.1f s", down.seconds)])
                Terminal.out(table.render())
                Terminal.out("(\(report.cpus) cpus; \(cold ? "cold: the root built from the mirror first" : "warm root cache"))")
            }
        } catch {
            _ = try? lab.down(purge: cold)
            throw error
        }
    }
}

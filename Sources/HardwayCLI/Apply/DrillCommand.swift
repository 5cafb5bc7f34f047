import ArgumentParser
import Foundation
import ClusterModel
import Phases

extension Drill.Kind: ExpressibleByArgument {}

/// `hardway drill`: break one thing on the running cluster, watch it hold, put it back.
struct DrillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "break one thing on the running cluster, measure how it holds, and restore it",
        usage: UsageLine.wrapped("hardway drill", "[--file <file>] [--dir <dir>] <kind> [--host <name>] [--parallel <n>] [--output <format>]"),
        discussion: """
        controller: stops kube-apiserver, kube-controller-manager and kube-scheduler on one controller (by \
        default the one whose controller manager leads) while this box sends requests through the API \
        endpoint with the admin certificate, one connection each. Held when no request failed, the leaders \
        it held moved to another controller within their lease time, and a new pod was scheduled.

        etcd: stops one etcd member (by default a follower) while this box writes objects through the \
        endpoint. Held when writes went on while it was down — none failed after the moment it stopped (a \
        write in flight to it then can fail: the API server's etcd client does not retry a write that may \
        have been applied) — and the member caught up with the leader once started again.

        worker: stops one worker's kubelet. Held when the node turned NotReady within the grace period, \
        `check` named it, and it was Ready again once started.

        Whatever it stopped is started again, even when the cluster did not hold. Exits 1 when it did not hold.

        Examples:
          sudo hardway drill -f lab.yaml controller
          sudo hardway drill -f lab.yaml etcd --host master-2
          sudo hardway drill -f lab.yaml worker -o json | jq '.figures'
        """
    )

    @OptionGroup var cluster: ClusterFileOptions
    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    @Argument(help: ArgumentHelp("what to break: controller, etcd or worker", valueName: "kind"))
    var kind: Drill.Kind

    @Option(help: ArgumentHelp("the host to break (default: as described above)", valueName: "name"))
    var host: String?

    @OptionGroup var output: OutputOptions
    @OptionGroup var parallel: ParallelOptions

    func run() async throws {
        let (resolved, directory) = try cluster.open(in: directoryOptions)
        let record = try directory.applyRecord()
        let needed: Phase = kind == .worker ? .workers : .controlPlane
        guard record.applied(needed) else {
            throw CLIError("the cluster is not applied through \(needed.rawValue) yet: there is nothing to drill", fix: "run `hardway apply -f \(cluster.file)` first")
        }
        let drill = Drill(live: LiveCluster(cluster: resolved, hosts: directory.hosts(for: resolved), parallelism: parallel.parallel,
                                            progress: { Terminal.err($0) }),
                          pki: directory.absolutePath + "/pki")
        let report = try applying(directory) { try drill.run(kind, host: host) }
        try output.print(report) {
            var table = TextTable(["FIGURE", "VALUE", "TARGET MET"])
            for figure in report.figures { table.add([figure.name, figure.value, figure.ok ? "yes" : "no"]) }
            Terminal.out(table.render())
            Terminal.out(String(format: "\n%@ drill on %@: %@ (%.0f s)", kind.rawValue, report.host, report.held ? "the cluster held" : "the cluster did not hold", report.seconds))
        }
        if !report.held {
            let missed = report.figures.filter { !$0.ok }.map(\.name)
            throw CLIError("the \(kind.rawValue) drill on \(report.host) missed: \(missed.joined(separator: ", "))",
                           fix: "see the figures above; `hardway check -f \(cluster.file)` shows what is unhealthy now")
        }
    }
}

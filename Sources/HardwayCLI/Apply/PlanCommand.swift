import ArgumentParser
import Foundation
import ClusterModel
import Phases

/// `hardway plan`: what apply would change, host by host; changes nothing.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "show, per host, the files that would change, the binaries that would be installed and the units that would restart",
        usage: UsageLine.wrapped("hardway plan", "[--file <file>] [--dir <dir>] [--until <phase>] [--parallel <n>] [--gate-timeout <seconds>] [--max-unavailable <n>] [--drain-timeout <seconds>] [--output <format>]"),
        discussion: """
        Runs apply's own phases against every host, reading what is there (sha256, mode and owner of each \
        rendered file and binary, which units run, etcd's members) while every change is only recorded: \
        the files and binaries that would be written, the units that would restart or start, and, in the \
        JSON, each step apply would take ("would …"). Writes nothing anywhere (not even <dir>/nodes or \
        applied.json).

        A version changed in the file (etcdVersion, kubernetesVersion, containerdVersion, runcVersion, \
        cniPluginsVersion) is an upgrade: the plan names each component's current and new version on each \
        host and lists the steps in apply's order (an etcd snapshot, etcd members one at a time with the \
        leader last, controllers one at a time, workers --max-unavailable at a time). A skipped minor, a \
        downgrade of etcd or Kubernetes, a kubelet newer than its API servers and a cluster `check` finds \
        unhealthy are refused before any host is touched.

        Examples:
          hardway plan -f lab.yaml
          hardway plan -f lab.yaml --until etcd --output json
        """
    )

    @OptionGroup var options: ApplyOptions

    func run() async throws {
        let (resolved, directory, applier) = try options.applier(write: false)
        let report = try applying(directory) { try applier.apply(until: options.until, dryRun: true) }
        if options.output.format == .json {
            try JSON.print(report)
            return
        }
        var perHost: [String: HostStep] = [:]
        for step in report.phases.flatMap(\.hosts) {
            var merged = perHost[step.host] ?? HostStep(host: step.host)
            merged.written += step.written + step.removed.map { "remove \($0)" }
            merged.installed += step.installed
            merged.restarted += step.restarted
            perHost[step.host] = merged
        }
        var table = TextTable(["HOST", "FILES", "BINARIES", "RESTARTS"])
        for machine in resolved.hosts {
            let step = perHost[machine.name] ?? HostStep(host: machine.name)
            table.add([machine.name, step.written.isEmpty ? "-" : TextTable.wrap(step.written, width: 50),
                       step.installed.isEmpty ? "-" : TextTable.wrap(step.installed.map { ($0 as NSString).lastPathComponent }, width: 30),
                       step.restarted.isEmpty ? "-" : step.restarted.joined(separator: ", ")])
        }
        Terminal.out(table.render())
        // What a host carries beyond the rendered files (lab drop-ins), and why.
        for step in report.phases.first(where: { $0.phase == Phase.connect.rawValue })?.hosts ?? [] {
            for note in step.notes where note.hasPrefix("lab drop-in: ") || note.hasPrefix("no CAP_SYS_RESOURCE") {
                Terminal.out("\(step.host): \(note)")
            }
        }
        // An upgrade: its steps, in the order apply takes them.
        let upgrade = report.phases.first { $0.phase == Phase.upgrade.rawValue }?.hosts.first { $0.host == "upgrade" }?.notes ?? []
        if !upgrade.isEmpty {
            Terminal.out()
            Terminal.out("upgrade, in this order:")
            for (index, step) in upgrade.enumerated() { Terminal.out("  \(index + 1). \(step)") }
        }
        // The restarts, phase by phase as apply takes them: etcd's members, then the controllers, then
        // the workers, each host in turn where it serves.
        let restarts = report.phases.compactMap { phase -> String? in
            let units = phase.hosts.flatMap { step in step.restarted.map { "\(step.host)/\($0)" } }
            return units.isEmpty ? nil : "\(phase.phase): \(units.joined(separator: ", "))"
        }
        if !restarts.isEmpty {
            Terminal.out()
            Terminal.out("restarts, in this order (one host at a time where it serves):")
            for (index, line) in restarts.enumerated() { Terminal.out("  \(index + 1). \(line)") }
        }
        Terminal.out()
        Terminal.out(report.writes == 0 ? "nothing to change" : "\(report.writes) files and binaries would be written; run `hardway apply -f \(options.cluster.file)`")
    }
}

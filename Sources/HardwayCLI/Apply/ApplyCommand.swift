import ArgumentParser
import Foundation
import ClusterModel
import Phases

/// `hardway apply`: the rendered cluster onto its hosts, phase by phase, each gated on health.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "put the cluster on its hosts over ssh, phase by phase, each gated on real health",
        usage: UsageLine.wrapped("hardway apply", "[--file <file>] [--dir <dir>] [--until <phase>] [--parallel <n>] [--gate-timeout <seconds>] [--max-unavailable <n>] [--drain-timeout <seconds>] [--output <format>]"),
        discussion: """
        Phases: connect, preflight (swap, br_netfilter, ip_forward, ports), upgrade (versions changed in the file), distribute (node files whose \
        sha256 differs), binaries (from binaries.dir, else <dir>/binaries), network (pod routes), etcd (gate: \
        every member healthy over mutual TLS), loadbalancer (gate: listening on the endpoint port), then \
        control-plane, rbac, workers, addons, smoke. Hosts run in parallel within a phase. A unit restarts only \
        when a file or binary it reads changed, or when it is not running; a second apply with nothing changed \
        writes nothing and restarts nothing. Each host's commands are logged in <dir>/logs/<host>.log.

        control-plane (gate: /livez on every controller and through the endpoint), rbac, workers (gate: every \
        node Ready), addons (gate: CoreDNS rolled out) and smoke (a new secret reaches etcd encrypted) need \
        Kubernetes' own binaries in the binaries directory; without them the phase stops and names them.

        Hosts added to or removed from the file since the last apply join or leave: a worker removed is \
        drained and its Node deleted; an etcd member (a stacked controller, an etcd host) leaves with \
        `member remove` before it stops, and one added joins with `member add` and starts as existing. One \
        member changes per apply, never below quorum; apply refuses more and says how to do it in steps.

        Upgrades: change a version in the file and apply. Refused before any host is touched: a skipped \
        Kubernetes or etcd minor, a downgrade of either, a kubelet newer than its API servers, a cluster \
        `hardway check` finds unhealthy. Otherwise: an etcd snapshot in <dir>/backups/, then etcd members one \
        at a time (the leader last; after each, every member healthy and a quorum read), controllers one at \
        a time (out of the load balancer while they restart), workers --max-unavailable at a time (cordon, \
        drain within --drain-timeout, new binaries, restart, Ready, uncordon). A run cut anywhere continues \
        where it stopped; `hardway plan` shows the steps first.

        Examples:
          hardway apply -f lab.yaml --until loadbalancer
          hardway apply -f lab.yaml --max-unavailable 2 --drain-timeout 300
          hardway apply -f lab.yaml --until etcd -o json | jq -c '.phases[]'
        """
    )

    @OptionGroup var options: ApplyOptions

    func run() async throws {
        let (_, directory, applier) = try options.applier(write: true)
        let report = try applying(directory) { try applier.apply(until: options.until) }
        if options.output.format == .json {
            try JSON.print(report)
            return
        }
        var table = TextTable(["PHASE", "SECONDS", "WRITTEN", "RESTARTED"])
        for phase in report.phases {
            let written = phase.hosts.reduce(0) { $0 + $1.written.count + $1.installed.count }
            let restarted = phase.hosts.flatMap { step in step.restarted.map { "\(step.host)/\($0)" } }
            table.add([phase.phase, String(format: "%.1f", phase.seconds), written == 0 ? "-" : String(written),
                       restarted.isEmpty ? "-" : TextTable.wrap(restarted, width: 60)])
        }
        Terminal.out(table.render())
        Terminal.out()
        if report.writes == 0 && report.restarts == 0 {
            Terminal.out(String(format: "nothing changed: no file written, no unit restarted (%.1f s)", report.seconds))
        } else {
            Terminal.out(String(format: "applied through %@ in %.1f s: %d files and binaries written, %d units (re)started",
                                report.phases.last?.phase ?? "-", report.seconds, report.writes, report.restarts))
        }
        Terminal.out("next: hardway check -f \(options.cluster.file)")
    }
}

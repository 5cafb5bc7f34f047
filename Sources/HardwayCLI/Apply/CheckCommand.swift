import ArgumentParser
import Foundation
import ClusterModel
import Phases

/// `hardway check`: a live table of what apply put on the hosts.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "check what is applied, live: etcd members, the load balancer and its backends, the pod network",
        discussion: """
        etcd: each member over mutual TLS (leader, database size) and the quorum. Load balancer: listening on \
        the endpoint, and each backend up or down as HAProxy's admin socket reports it (nginx: a TCP probe). \
        Pod network: on each worker a throwaway namespace attached by the real CNI plugins with the rendered \
        config pings the other workers' pods across the pod routes, then is removed. \
        Phases not applied yet are shown as such and do not fail the check. Exits 1 when anything is unhealthy.

        Examples:
          hardway check -f lab.yaml
          hardway check -f lab.yaml --output json | jq '.[] | select(.state == "failed")'
        """
    )

    @OptionGroup var cluster: ClusterFileOptions
    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("text or json", valueName: "format"))
    var output: OutputFormat = .text

    func run() async throws {
        let resolved = try cluster.load()
        let directory = ClusterDirectory(cluster: resolved, dir: directoryOptions.dir, clusterFile: cluster.file)
        let checker = Checker(cluster: resolved, hosts: directory.hosts(for: resolved), record: ApplyRecord.load(directory.applyRecordPath))
        let rows = checker.run()
        if output == .json {
            try JSON.print(rows)
        } else {
            var table = TextTable(["AREA", "SUBJECT", "STATE", "DETAIL"])
            for row in rows { table.add([row.area, row.subject, row.state.rawValue, row.detail]) }
            Terminal.out(table.render())
        }
        let failed = rows.filter { $0.state == .failed }
        if !failed.isEmpty {
            throw CLIError("\(failed.count) check\(failed.count == 1 ? "" : "s") failed: \(failed.map { "\($0.area) \($0.subject)" }.joined(separator: ", "))",
                           fix: "see the DETAIL column; `hardway apply -f \(cluster.file)` puts back what is missing")
        }
    }
}

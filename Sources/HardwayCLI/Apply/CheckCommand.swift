import ArgumentParser
import Foundation
import ClusterModel
import Phases
import PKI

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
        Certificates: the one in <dir>/pki that expires first (failed within 30 days). \
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

    /// The cluster's certificates in <dir>/pki: the one that expires first, failed within 30 days.
    func certificateRows(_ cluster: Cluster, directory: ClusterDirectory) -> [CheckRow] {
        let store = directory.pkiStore
        let present = store.listing()
        let now = Date()
        let summaries = ClusterCertificates.profiles(for: cluster).compactMap { profile in
            store.load(profile.name, present: present).certificate.map { CertificateSummary(certificate: $0, file: store.certificatePath(profile.name), now: now) }
        }
        guard let soonest = summaries.min(by: { $0.notAfter < $1.notAfter }) else {
            return [CheckRow(area: "certificates", subject: "-", state: .failed, detail: "none in \(store.directory): run `hardway pki issue -f \(self.cluster.file)`")]
        }
        let day = ISO8601DateFormatter.string(from: soonest.notAfter, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        return [CheckRow(area: "certificates", subject: "\(summaries.count) in pki/", state: soonest.daysLeft > 30 ? .ok : .failed,
                         detail: "first to expire: \(soonest.name) on \(day) (\(soonest.daysLeft) days)" + (soonest.daysLeft > 30 ? "" : "; renew with `hardway pki issue`"))]
    }

    func run() async throws {
        let resolved = try cluster.load(dir: directoryOptions.dir)
        let directory = ClusterDirectory(cluster: resolved, dir: directoryOptions.dir, clusterFile: cluster.file)
        let checker = Checker(cluster: resolved, hosts: directory.hosts(for: resolved), record: ApplyRecord.load(directory.applyRecordPath))
        let rows = checker.run() + certificateRows(resolved, directory: directory)
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

import ArgumentParser
import Foundation
import ClusterModel
import Phases
import Binaries
import PKI

/// `hardway check`: a live table of what apply put on the hosts.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "check what is applied, live: etcd, the load balancer, the pod network, the control plane, nodes, DNS; --smoke runs pods",
        usage: UsageLine.wrapped("hardway check", "[--file <file>] [--dir <dir>] [--smoke] [--parallel <n>] [--output <format>]"),
        discussion: """
        etcd: each member over mutual TLS (leader, database size) and the quorum. Load balancer: listening on \
        the endpoint, and each backend up or down as HAProxy's admin socket reports it (nginx: a TCP probe). \
        Pod network: on each worker a throwaway namespace attached by the real CNI plugins with the rendered \
        config pings the other workers' pods across the pod routes, then is removed. \
        Certificates: the one in <dir>/pki that expires first (a warning within 30 days, with the commands that renew it; failed once expired). \
        CAs: on each host, the CA whose certificate each API server, kubelet and etcd member serves, and \
        the CAs each trust file holds (old and new during `hardway pki rotate-ca`). \
        Once applied: /livez on each API server and through the endpoint, the controller manager's and the \
        scheduler's leaders, a secret read back encrypted from etcd, every node Ready with its kubelet \
        version and runtime, and CoreDNS (or `not deployed` when addons.dns is false). \
        Phases not applied yet are shown as such and do not fail the check. Exits 1 when anything is unhealthy.

        --smoke adds the tutorials' smoke test in a namespace of its own, removed afterwards: a Deployment \
        of the workload image (images/busybox.tar) with a pod on each worker; kubectl exec and logs; each \
        pod reaching the pods on the other workers (the pod routes); the Service's cluster IP from a pod \
        (kube-proxy); its node port on every worker from this box; kubectl port-forward.

        Examples:
          hardway check -f lab.yaml
          hardway check -f lab.yaml --smoke
          hardway check -f lab.yaml -o json | jq '.[] | select(.state == "failed")'
        """
    )

    @OptionGroup var cluster: ClusterFileOptions
    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    @Flag(help: "also run the smoke test: a pod on each worker, exec, logs, pod to pod, a Service, a NodePort, port-forward (removed after)")
    var smoke = false

    @Flag(help: ArgumentHelp("with --smoke: only the smoke test's rows", visibility: .hidden))
    var onlySmoke = false

    @OptionGroup var output: OutputOptions
    @OptionGroup var parallel: ParallelOptions

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
        return [CertificateExpiry.row(count: summaries.count, first: soonest.name, notAfter: soonest.notAfter, isCA: soonest.isCA, now: now,
                                      clusterFile: self.cluster.file)]
    }

    /// The smoke test, once the workers are applied; its workload image comes from the binaries
    /// directory's images/ (`hardway binaries build` writes it).
    func smokeRows(_ cluster: Cluster, directory: ClusterDirectory, record: ApplyRecord) throws -> [CheckRow] {
        guard record.applied(.workers) else {
            return [CheckRow(area: "smoke", subject: "-", state: .notApplied, detail: "the workers are not applied yet: run `hardway apply -f \(self.cluster.file)`")]
        }
        let images = "\(directory.binariesDirectory(for: cluster))/images"
        let archives = (try? ImageArchive.list(in: images)) ?? []
        guard let image = archives.flatMap(\.images).first(where: { $0.contains("/hardway/busybox:") }) else {
            return [CheckRow(area: "smoke", subject: "workload image", state: .failed,
                             detail: "no workload image in \(images): run `hardway binaries build -f \(self.cluster.file)`, then `hardway apply`")]
        }
        Terminal.err("smoke test: \(SmokeTest.namespace) namespace, removed afterwards")
        return SmokeTest(cluster: cluster, hosts: directory.hosts(for: cluster), image: image, progress: { Terminal.err($0) }).run()
    }

    func run() async throws {
        let (resolved, directory) = try cluster.open(in: directoryOptions)
        let checker = Checker(live: LiveCluster(cluster: resolved, hosts: directory.hosts(for: resolved), parallelism: parallel.parallel),
                              record: try directory.applyRecord())
        var rows = onlySmoke && smoke ? [] : checker.run() + certificateRows(resolved, directory: directory)
            + trustRows(resolved, directory: directory, record: checker.record)
        if smoke { rows += try smokeRows(resolved, directory: directory, record: checker.record) }
        try output.print(rows) {
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

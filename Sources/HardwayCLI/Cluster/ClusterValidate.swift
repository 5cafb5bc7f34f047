import ArgumentParser
import ClusterModel

/// `hardway validate`: every problem of a cluster file at once, then what hardway derived from it.
struct ClusterValidate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "check a cluster file and show what hardway derives from it",
        discussion: """
        Every problem is reported at once, each with its line, field path and fix. Errors exit 1; \
        warnings (such as an even number of etcd members) do not.

        Examples:
          hardway validate -f cluster.yaml
          hardway validate -f cluster.yaml --output json | jq '.cluster.hosts'
        """
    )

    @OptionGroup var cluster: ClusterFileOptions

    @OptionGroup var output: OutputOptions

    func run() throws {
        let resolution = try cluster.resolve()
        let file = cluster.file
        try output.print(ValidationReport(file: file, resolution: resolution)) {
            for diagnostic in resolution.diagnostics { Terminal.out(diagnostic.formatted(file: file)) }
            let errors = resolution.diagnostics.errors.count
            let warnings = resolution.diagnostics.warnings.count
            let warningText = warnings == 0 ? "" : " (\(warnings) warning\(warnings == 1 ? "" : "s"))"
            if let resolved = resolution.cluster {
                Terminal.out("\(file): valid\(warningText)")
                Terminal.out(Self.summary(resolved))
            } else {
                Terminal.out("\(file): \(errors) error\(errors == 1 ? "" : "s")\(warnings == 0 ? "" : ", \(warnings) warning\(warnings == 1 ? "" : "s")")")
            }
        }
        if resolution.cluster == nil { throw ExitCode(1) }
    }

    static func summary(_ cluster: Cluster) -> String {
        var table = TextTable(["", ""], showHeader: false)
        func hostList(_ hosts: [Machine], extra: (Machine) -> String = { _ in "" }) -> String {
            hosts.map { "\($0.name) \($0.address)\(extra($0))" }.joined(separator: "\n")
        }
        table.add(["cluster", "\(cluster.name): kubernetes \(cluster.kubernetesVersion), etcd \(cluster.etcdVersion)"])
        // Named or the release's pairing: either way these are the versions binaries are fetched for.
        table.add(["runtime", "containerd \(cluster.versions.containerd), runc \(cluster.versions.runc), cni plugins \(cluster.versions.cniPlugins); kube-proxy in \(cluster.network.proxyMode.rawValue) mode"])
        let via: String
        switch cluster.loadBalancer.kind {
        case .haproxy, .nginx: via = "through \(cluster.loadBalancer.kind.rawValue) on \(cluster.loadBalancer.host?.name ?? "?")"
        case .external: via = "through an external load balancer"
        case .none: via = "without a load balancer"
        }
        table.add(["api", "\(cluster.api.url ?? "https://<from hardway infra>:\(cluster.api.port)") \(via)"])
        table.add(["controllers", hostList(cluster.controllers)])
        let tolerated = (cluster.etcdMembers.count - 1) / 2
        table.add(["etcd", "\(cluster.etcdMembers.count) member\(cluster.etcdMembers.count == 1 ? "" : "s") (tolerates \(tolerated) failure\(tolerated == 1 ? "" : "s")): \(cluster.etcdMembers.map(\.name).joined(separator: ", "))"])
        table.add(["workers", cluster.workers.isEmpty ? "none" : hostList(cluster.workers) { "  pods \($0.podCIDR.map(\.description) ?? "-")" }])
        table.add(["services", "\(cluster.network.serviceCIDR): kubernetes \(cluster.network.apiServiceIP), dns \(cluster.network.dnsServiceIP), domain \(cluster.network.clusterDomain)"])
        table.add(["pki", "\(cluster.pki.keyAlgorithm.rawValue), leaves \(cluster.pki.validity.humanDescription), CAs \(cluster.pki.caValidity.humanDescription)"])
        return table.render().split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
    }
}

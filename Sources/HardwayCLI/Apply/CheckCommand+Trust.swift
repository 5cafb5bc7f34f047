import Foundation
import ClusterModel
import Phases
import PKI
import Render

extension CheckCommand {
    /// Which CA each host's servers present and which CAs its trust files hold, by name and role
    /// (`ca (old)`, `ca (new)` while a rotation is under way): one row per host.
    func trustRows(_ cluster: Cluster, directory: ClusterDirectory, record: ApplyRecord) -> [CheckRow] {
        guard record.applied(.etcd) else { return [] }
        let names = ClusterCertificates.profiles(for: cluster).filter(\.isCA).map(\.name)
        let readings: [TrustSurvey.Reading]
        let catalog: CACatalog
        do {
            catalog = try CACatalog(store: directory.pkiStore, names: names)
            let rendered = try directory.renderForApply(cluster, options: self.cluster, write: false)
            var trusts: [String: [String]] = [:]
            for node in rendered.nodes {
                let paths = node.files.filter { $0.path.hasPrefix("/") && catalog.isTrustFile($0.contents) }.map(\.path)
                if !paths.isEmpty { trusts[node.host] = paths }
            }
            let survey = TrustSurvey(live: LiveCluster(cluster: cluster, hosts: directory.hosts(for: cluster), parallelism: parallel.parallel))
            readings = try applying(directory) { try survey.read(expected: [:], trusts: trusts) }
        } catch {
            let reason = (error as? CLIError)?.message ?? "\(error)"
            return [CheckRow(area: "CAs", subject: "-", state: .failed, detail: "not read: \(reason)")]
        }
        return readings.map { reading in Self.trustRow(reading, catalog: catalog, servers: TrustSurvey.servers(of: cluster.host(named: reading.host)!, in: cluster).map(\.name)) }
    }

    /// `kube-apiserver serves ca (new); trusts ca.pem: ca (old), ca (new); …`.
    static func trustRow(_ reading: TrustSurvey.Reading, catalog: CACatalog, servers: [String]) -> CheckRow {
        var parts: [String] = [], state = CheckRow.State.ok
        for server in servers {
            guard let pem = reading.served[server] else {
                parts.append("\(server) did not answer")
                state = state == .failed ? state : .warning
                continue
            }
            if let issuer = catalog.issuer(of: pem) {
                parts.append("\(server) serves \(issuer.label)")
            } else {
                parts.append("\(server) serves a certificate of no CA in the PKI")
                state = .failed
            }
        }
        for (path, pem) in reading.trusts.sorted(by: { $0.key < $1.key }) {
            let (cas, unknown) = catalog.trusted(pem)
            let names = cas.map(\.label) + (unknown > 0 ? ["\(unknown) unknown"] : [])
            parts.append("\(path) trusts \(names.isEmpty ? "nothing" : names.joined(separator: " + "))")
        }
        return CheckRow(area: "CAs", subject: reading.host, state: state, detail: parts.joined(separator: "; "))
    }
}

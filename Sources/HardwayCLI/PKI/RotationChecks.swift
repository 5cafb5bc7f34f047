import Foundation
import ClusterModel
import Phases
import PKI
import Render

/// What `pki rotate-ca` reads on a running cluster before it moves a rotation on: that every
/// process runs the files of the step before, and, to finish, that no server presents a
/// certificate of an old CA and every token Secret gives its pods the new one.
struct RotationChecks {
    let cluster: Cluster
    let directory: ClusterDirectory
    let options: ClusterFileOptions
    let parallelism: Int

    var survey: TrustSurvey {
        TrustSurvey(live: LiveCluster(cluster: cluster, hosts: directory.hosts(for: cluster), parallelism: parallelism, progress: { Terminal.err($0) }))
    }

    /// The cluster rendered from the PKI as it is now, and without the CAs trusted beside the
    /// signing ones.
    func renders() throws -> (now: RenderOutput, alone: RenderOutput) {
        let pki = try directory.loadPKI(for: cluster)
        guard let ring = try directory.encryptionKeys.load() else {
            throw CLIError("there is no encryption key yet in \(directory.encryptionKeys.path)", fix: "run `hardway render -f \(options.file)` first")
        }
        var alone = pki
        alone.alsoTrusted = [:]
        return try options.rendering {
            (try ClusterRenderer.render(RenderInput(cluster: cluster, pki: pki, encryption: ring)),
             try ClusterRenderer.render(RenderInput(cluster: cluster, pki: alone, encryption: ring)))
        }
    }

    /// Host → its files that a unit reads and `keep` picks.
    static func nodeFiles(_ output: RenderOutput, _ keep: (RenderedFile) -> Bool) -> [String: [RenderedFile]] {
        var files: [String: [RenderedFile]] = [:]
        for node in output.nodes {
            let picked = node.files.filter { $0.path.hasPrefix("/") && !$0.units.isEmpty && keep($0) }
            if !picked.isEmpty { files[node.host] = picked }
        }
        return files
    }

    /// Step 1 is in effect: every trust point that holds the new CA beside the old is on its host,
    /// and every process that reads one started after it changed.
    func trustPointProblems() throws -> [String] {
        let (now, alone) = try renders()
        var plain: [String: String] = [:]
        for node in alone.nodes { for file in node.files { plain["\(node.host) \(file.path)"] = file.sha256 } }
        var expected: [String: [RenderedFile]] = [:]
        for (host, files) in Self.nodeFiles(now, { _ in true }) {
            let changed = files.filter { plain["\(host) \($0.path)"] != $0.sha256 }
            if !changed.isEmpty { expected[host] = changed }
        }
        Terminal.err("reading what \(expected.count) hosts run of the \(expected.values.map(\.count).reduce(0, +)) files that trust the new CAs beside the old")
        let readings = try applying(directory) { try survey.read(expected: expected, servers: false) }
        return readings.flatMap { TrustSurvey.problems($0, files: expected[$0.host] ?? []) }
    }

    /// Step 2 is in effect: every file that carries a certificate of the new CAs is on its host and
    /// read by its processes since; no server presents an old CA's certificate; every token
    /// Secret's `ca.crt` holds the new cluster CA.
    func leafProblems(rotation: CARotation, catalog: CACatalog, tokens readTokens: Bool) throws -> [String] {
        let (now, _) = try renders()
        let pki = try directory.loadPKI(for: cluster)
        let rotated = Set(rotation.cas.map(\.ca))
        let profiles = ClusterCertificates.profiles(for: cluster)
        let leaves = profiles.filter { !$0.isCA && rotated.contains($0.issuer ?? ClusterCertificates.caName) }.compactMap { pki.certificates[$0.name] }
        let carried = leaves.flatMap { [$0, Data($0.utf8).base64EncodedString()] }
        let expected = Self.nodeFiles(now) { file in carried.contains { file.contents.contains($0) } }
        Terminal.err("reading what \(expected.count) hosts run and serve of the new CAs' certificates")
        let readings = try applying(directory) { try survey.read(expected: expected) }
        var problems = readings.flatMap { TrustSurvey.problems($0, files: expected[$0.host] ?? []) }
        for reading in readings {
            for (server, pem) in reading.served.sorted(by: { $0.key < $1.key }) {
                guard let issuer = catalog.issuer(of: pem) else {
                    problems.append("\(reading.host)'s \(server) serves a certificate of none of the cluster's CAs")
                    continue
                }
                if issuer.role != .new && issuer.role != .current && rotated.contains(issuer.ca) {
                    problems.append("\(reading.host)'s \(server) serves a certificate of \(issuer.label)")
                }
            }
        }
        if readTokens, rotated.contains(ClusterCertificates.caName), let newCA = catalog.entries.first(where: { $0.ca == ClusterCertificates.caName && $0.role == .new }) {
            let tokens = try applying(directory) { try survey.tokenCAs() }
            let lacking = tokens.filter { !CACatalog.bodies($0.ca).contains(newCA.body) }.map(\.secret)
            if !lacking.isEmpty {
                problems.append("\(lacking.count) of \(tokens.count) token Secrets give their pods a ca.crt without the new \(ClusterCertificates.caName) (\(lacking.prefix(3).joined(separator: ", "))\(lacking.count > 3 ? ", …" : "")); the controller manager rewrites them soon after it starts with the new root CA")
            }
        }
        return problems
    }
}

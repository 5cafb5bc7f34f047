import ArgumentParser
import Foundation
import ClusterModel
import PKI

/// `hardway pki rotate-ca`: the cluster's CAs replaced in three applied steps, one per run.
struct PKIRotateCA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-ca",
        abstract: "replace the CAs without downtime, one safe step per run",
        usage: UsageLine.wrapped("hardway pki rotate-ca", "[--file <file>] [--dir <dir>] [--ca <name> ...] [--finish] [--parallel <n>] [--output <format>]"),
        discussion: """
        A rotation has three steps, each followed by `hardway render` and `hardway apply`, which \
        restarts each component one at a time (`hardway plan` shows the restarts, in order):

          1. rotate-ca           new CAs beside the old (<ca>-next.pem), trusted
                                 at every trust point
          2. rotate-ca           the new CAs take the names and sign every leaf
                                 again (each keeps its key); the old ones, still
                                 trusted, go to <dir>/pki/retired/
          3. rotate-ca --finish  the old CAs leave every bundle

        The trust points: the API server's client and front-proxy CAs, the kubelets', every \
        kubeconfig (the workstation's admin-remote too), the controller manager's root CA (so every \
        token's ca.crt), etcd's, and HAProxy's for its checks.

        All three CAs (ca, etcd-ca, front-proxy-ca) are rotated unless --ca names some.

        On a running cluster step 2 refuses until every host runs step 1: each trust file is the \
        rendered one and every process that reads it started after it changed. --finish refuses \
        while a file of the new certificates is not in effect, any API server, kubelet or etcd member \
        serves a certificate of an old CA, or any token Secret's ca.crt lacks the new CA; each is \
        named. A run cut halfway can be run again.

        Examples:
          hardway pki rotate-ca -f cluster.yaml
          hardway pki rotate-ca -f cluster.yaml --ca etcd-ca
          hardway render -f cluster.yaml && hardway apply -f cluster.yaml
          hardway pki rotate-ca -f cluster.yaml --finish
          hardway check -f cluster.yaml    which CA each component serves and trusts
        """
    )

    @OptionGroup var cluster: ClusterFileOptions

    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    @Option(help: ArgumentHelp("a CA to rotate: ca, etcd-ca or front-proxy-ca (repeatable; default all)", valueName: "name"))
    var ca: [String] = []

    @Flag(help: "drop the old CAs from every bundle, once every host runs the new certificates")
    var finish = false

    @OptionGroup var parallel: ParallelOptions

    @OptionGroup var output: OutputOptions

    var target: String { "-f \(cluster.file)" + (directoryOptions.dir.map { " --dir \($0)" } ?? "") }

    func run() async throws {
        let (resolved, directory) = try cluster.open(in: directoryOptions)
        let store = directory.pkiStore
        let profiles = ClusterCertificates.profiles(for: resolved)
        let checks = RotationChecks(cluster: resolved, directory: directory, options: cluster, parallelism: parallel.parallel)
        let record = try directory.applyRecord()
        let running = record.applied(.etcd)
        var reissued: [String] = []
        var rotation: CARotation
        do {
            switch (try CARotation.load(store), finish) {
            case (nil, true):
                throw CLIError("no CA rotation is under way in \(store.directory)", fix: "`hardway pki rotate-ca \(target)` starts one")
            case (nil, false):
                rotation = try CARotation.begin(store, profiles: try chosen(profiles), now: Date())
            case (var current?, false):
                if current.stage == .trustBoth {
                    if running { try refuse(try checks.trustPointProblems(), step: "the new CAs sign only once every host trusts them beside the old") }
                    try current.advance(store)
                }
                // Also what finishes a step 2 cut after the CAs moved and before every leaf was issued.
                reissued = try await issueLeaves(current, profiles: profiles, store: store)
                rotation = current
            case (let current?, true):
                if current.stage == .newLeaves, running {
                    let catalog = try CACatalog(store: store, names: current.cas.map(\.ca))
                    try refuse(try checks.leafProblems(rotation: current, catalog: catalog, tokens: record.applied(.controlPlane)), step: "the old CAs leave the bundles only once nothing uses them")
                }
                try current.finish(store)
                rotation = current
            }
        } catch let error as PKIError {
            throw CLIError(error.message, fix: error.fix?.replacingOccurrences(of: "-f <cluster file>", with: target))
        }
        let done = finish
        let report = RotateCAReport(stage: done ? "finished" : rotation.stage.rawValue, cas: rotation.cas.map { .init(ca: $0.ca, old: $0.old, new: $0.new) },
                                    reissued: reissued, retired: "\(store.directory)/\(CARotation.retiredDirectory)", next: next(done ? nil : rotation.stage))
        try output.print(report) {
            var table = TextTable(["CA", "OLD", "NEW"])
            for entry in rotation.cas { table.add([entry.ca, String(entry.old.prefix(16)), String(entry.new.prefix(16))]) }
            Terminal.out(table.render())
            Terminal.out()
            if !reissued.isEmpty { Terminal.out("\(reissued.count) certificates issued again from the new CAs, each with its key") }
            Terminal.out("stage: \(report.stage)")
            Terminal.out("next: \(report.next)")
        }
    }

    /// The CA profiles `--ca` names, or all of them.
    func chosen(_ profiles: [CertificateProfile]) throws -> [CertificateProfile] {
        let cas = profiles.filter(\.isCA)
        guard !ca.isEmpty else { return cas }
        return try ca.map { name in
            guard let profile = cas.first(where: { $0.name == name }) else {
                throw CLIError("--ca \(name): this cluster has no CA of that name", fix: "name one of \(cas.map(\.name).joined(separator: ", "))")
            }
            return profile
        }
    }

    /// Step 2's leaves: every certificate an old CA signed, issued again from the new one.
    func issueLeaves(_ rotation: CARotation, profiles: [CertificateProfile], store: PKIStore) async throws -> [String] {
        Terminal.err("issuing every certificate of \(rotation.cas.map(\.ca).joined(separator: ", ")) again from the new CAs")
        let result = try await PKIIssuer.run(profiles: profiles, store: store, options: PKIIssueOptions(rotated: Set(rotation.cas.map(\.ca))), now: Date())
        if !result.failed.isEmpty {
            throw CLIError("\(result.failed.count) certificates could not be issued again: " + result.failed.map { "\($0.name): \($0.error?.message ?? $0.reasons.joined(separator: "; "))" }.joined(separator: "; "),
                           fix: "fix what is named, then run `hardway pki rotate-ca \(target)` again")
        }
        return result.entries.filter { $0.outcome == .reissued || $0.outcome == .issued }.map(\.name)
    }

    func refuse(_ problems: [String], step: String) throws {
        guard !problems.isEmpty else {
            Terminal.err("every host runs the step before")
            return
        }
        throw CLIError("\(step); not yet: \(problems.joined(separator: "; "))",
                       fix: "run `hardway render \(target)` and `hardway apply \(target)` (it restarts what reads them, one at a time), then run this again")
    }

    func next(_ stage: CARotation.Stage?) -> String {
        let roll = "`hardway render \(target)`, `hardway plan \(target)` to see the restarts, then `hardway apply \(target)`"
        switch stage {
        case .trustBoth?: return "\(roll); then `hardway pki rotate-ca \(target)` lets the new CAs sign"
        case .newLeaves?: return "\(roll); then `hardway pki rotate-ca \(target) --finish` drops the old CAs"
        case nil: return "\(roll): the old CAs leave every bundle (they stay in pki/retired/)"
        }
    }
}

/// `pki rotate-ca --output json`.
struct RotateCAReport: Encodable {
    struct CA: Encodable {
        var ca: String
        /// SHA-256 fingerprints of the old and new CA certificates.
        var old: String
        var new: String
    }

    var stage: String
    var cas: [CA]
    /// Certificates issued again from the new CAs in this run.
    var reissued: [String]
    var retired: String
    var next: String
}

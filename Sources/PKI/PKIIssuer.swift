import Foundation
import X509

public struct PKIIssueOptions: Sendable {
    /// Replace the CAs (and so every certificate).
    public var newCA = false
    /// Names to re-issue with new keys whatever their state.
    public var renew: Set<String> = []
    /// Plan only: write nothing.
    public var dryRun = false
    /// CAs replaced by a rotation (`rotation.json` in step 2): the leaves another CA signed are
    /// issued again from them, each with its own key (the service account's key signs every token).
    public var rotated: Set<String> = []

    public init(newCA: Bool = false, renew: Set<String> = [], dryRun: Bool = false, rotated: Set<String> = []) {
        self.newCA = newCA
        self.renew = renew
        self.dryRun = dryRun
        self.rotated = rotated
    }
}

/// What happened to each certificate.
public struct PKIIssueResult: Sendable {
    public enum Outcome: String, Sendable, Codable {
        case kept, issued, reissued, blocked, failed
        case wouldIssue = "would-issue"
        case wouldReissue = "would-reissue"
    }

    public struct Entry: Sendable {
        public var name: String
        public var purpose: String
        public var commonName: String
        public var outcome: Outcome
        public var reasons: [String]
        public var notAfter: Date?
        public var error: PKIError?
    }

    public var entries: [Entry]
    public var notes: [String]
    /// Where replaced files were copied, when any were.
    public var backupDirectory: String?

    public var failed: [Entry] { entries.filter { $0.outcome == .blocked || $0.outcome == .failed } }
    public func count(_ outcome: Outcome) -> Int { entries.filter { $0.outcome == outcome }.count }
}

public enum PKIProgress: Sendable {
    case started(total: Int)
    case finished(name: String, done: Int, total: Int)
}

/// Runs a `PKIPlan`: the CAs one by one, then every other certificate in parallel (key generation
/// dominates and is independent). Every failure is reported, not only the first.
public enum PKIIssuer {
    public static func run(profiles: [CertificateProfile], store: PKIStore, options: PKIIssueOptions, now: Date,
                           progress: @escaping @Sendable (PKIProgress) -> Void = { _ in }) async throws -> PKIIssueResult {
        let unknown = options.renew.filter { name in !profiles.contains { $0.name == name } }
        if let name = unknown.sorted().first {
            throw PKIError(.unknownName, "there is no certificate named \"\(name)\" in this cluster",
                           fix: "use one of: \(profiles.filter { !$0.isCA }.map(\.name).joined(separator: ", "))")
        }
        if let ca = options.renew.sorted().first(where: { name in profiles.first { $0.name == name }?.isCA == true }) {
            throw PKIError(.unknownName, "\(ca) is a CA; --renew does not replace CAs", fix: "run `hardway pki issue --new-ca` to replace the CAs and re-issue everything")
        }

        if !options.dryRun { try store.prepare() }
        var existing: [String: StoredMaterial] = [:]
        let present = store.listing()
        for profile in profiles { existing[profile.name] = store.load(profile.name, present: present) }
        let plan = PKIPlanner.plan(profiles: profiles, existing: existing, store: store, now: now,
                                   newCA: options.newCA, renew: options.renew, rotated: options.rotated)

        if options.dryRun {
            let entries = plan.items.map { item -> PKIIssueResult.Entry in
                let notAfter = existing[item.profile.name]?.certificate?.notValidAfter
                switch item.action {
                case .keep: return entry(item.profile, .kept, [], notAfter)
                case .issue(let reason, _): return entry(item.profile, .wouldIssue, [reason], nil)
                case .reissue(let reasons, _): return entry(item.profile, .wouldReissue, reasons, notAfter)
                case .blocked(let error): return entry(item.profile, .blocked, [error.message], notAfter, error: error)
                }
            }
            return PKIIssueResult(entries: entries, notes: plan.notes, backupDirectory: nil)
        }

        for name in plan.keysToTighten { _ = store.tightenKey(name) }
        let backup = BackupDirectory(parent: store.directory, now: now)
        let batch = FileBatch()
        let total = plan.items.filter { $0.action.writes }.count
        progress(.started(total: total))
        let counter = Counter()

        var results: [String: PKIIssueResult.Entry] = [:]
        var authorities: [String: CertificateAuthority] = [:]

        // CAs first: the leaves need them. They do not depend on each other, so they are made together.
        let caItems = plan.items.filter(\.profile.isCA)
        for item in caItems where !item.action.writes {
            let material = existing[item.profile.name] ?? StoredMaterial()
            if let certificate = material.certificate, let key = material.key {
                authorities[item.profile.name] = CertificateAuthority(certificate: certificate, key: key.key)
            }
            results[item.profile.name] = settled(item, material: material)
        }
        try await withThrowingTaskGroup(of: (String, PKIIssueResult.Entry, CertificateAuthority?).self) { group in
            for item in caItems where item.action.writes {
                let material = existing[item.profile.name] ?? StoredMaterial()
                group.addTask {
                    defer { progress(.finished(name: item.profile.name, done: counter.next(), total: total)) }
                    do {
                        let (issued, key) = try execute(item, material: material, authority: nil, store: store, backup: backup, batch: batch, now: now)
                        return (item.profile.name, entry(item.profile, outcome(item.action), reasons(item.action), issued.certificate.notValidAfter),
                                CertificateAuthority(certificate: issued.certificate, key: key))
                    } catch {
                        return (item.profile.name, failure(item.profile, error), nil)
                    }
                }
            }
            for try await (name, result, authority) in group {
                results[name] = result
                if let authority { authorities[name] = authority }
            }
        }

        let leaves = plan.items.filter { !$0.profile.isCA }
        let authoritiesSnapshot = authorities
        try await withThrowingTaskGroup(of: (String, PKIIssueResult.Entry).self) { group in
            for item in leaves {
                let material = existing[item.profile.name] ?? StoredMaterial()
                guard item.action.writes else {
                    results[item.profile.name] = settled(item, material: material)
                    continue
                }
                let issuerName = item.profile.issuer ?? ClusterCertificates.caName
                group.addTask {
                    let result: PKIIssueResult.Entry
                    if let authority = authoritiesSnapshot[issuerName] {
                        do {
                            let (issued, _) = try execute(item, material: material, authority: authority, store: store, backup: backup, batch: batch, now: now)
                            result = entry(item.profile, outcome(item.action), reasons(item.action), issued.certificate.notValidAfter)
                        } catch {
                            result = failure(item.profile, error)
                        }
                    } else {
                        result = failure(item.profile, PKIError(.invalidCA, "\(issuerName) could not be issued, so \(item.profile.name) was not signed",
                                                                fix: "fix the error reported for \(issuerName) and run again"))
                    }
                    progress(.finished(name: item.profile.name, done: counter.next(), total: total))
                    return (item.profile.name, result)
                }
            }
            for try await (name, result) in group { results[name] = result }
        }
        // Everything signed is on disk under temporary names; make it durable and put it in place.
        do {
            try batch.commit()
        } catch {
            for (name, entry) in results where entry.outcome == .issued || entry.outcome == .reissued {
                results[name] = PKIIssueResult.Entry(name: entry.name, purpose: entry.purpose, commonName: entry.commonName, outcome: .failed,
                                                     reasons: ["\(error)"], notAfter: nil, error: error as? PKIError)
            }
        }

        let entries = plan.items.compactMap { results[$0.profile.name] }
        return PKIIssueResult(entries: entries, notes: plan.notes, backupDirectory: backup.wasUsed ? backup.path : nil)
    }

    static func execute(_ item: PKIPlan.Item, material: StoredMaterial, authority: CertificateAuthority?, store: PKIStore,
                        backup: BackupDirectory, batch: FileBatch, now: Date) throws -> (IssuedCertificate, Certificate.PrivateKey) {
        let key: PrivateKeyMaterial
        var newKeyPEM: String?
        if item.action.reuseKey, let existingKey = material.key {
            key = existingKey
        } else {
            key = try PrivateKeyMaterial.generate(item.profile.keyAlgorithm)
            newKeyPEM = key.pem
        }
        let issued = try CertificateSigner.issue(item.profile.template, key: key.key, authority: authority, now: now)
        // CAs are renamed into place before the certificates they sign.
        try store.stage(item.profile.name, issued: issued, keyPEM: newKeyPEM, previous: material, backup: backup, batch: batch,
                        order: item.profile.isCA ? 0 : 1)
        return (issued, key.key)
    }

    static func settled(_ item: PKIPlan.Item, material: StoredMaterial) -> PKIIssueResult.Entry {
        if case .blocked(let error) = item.action {
            return entry(item.profile, .blocked, [error.message], material.certificate?.notValidAfter, error: error)
        }
        return entry(item.profile, .kept, [], material.certificate?.notValidAfter)
    }

    static func outcome(_ action: PKIPlan.Action) -> PKIIssueResult.Outcome {
        if case .reissue = action { return .reissued }
        return .issued
    }

    static func reasons(_ action: PKIPlan.Action) -> [String] {
        switch action {
        case .issue(let reason, _): return [reason]
        case .reissue(let reasons, _): return reasons
        case .keep, .blocked: return []
        }
    }

    static func entry(_ profile: CertificateProfile, _ outcome: PKIIssueResult.Outcome, _ reasons: [String], _ notAfter: Date?,
                      error: PKIError? = nil) -> PKIIssueResult.Entry {
        PKIIssueResult.Entry(name: profile.name, purpose: profile.purpose, commonName: profile.subject.commonName ?? "",
                             outcome: outcome, reasons: reasons, notAfter: notAfter, error: error)
    }

    static func failure(_ profile: CertificateProfile, _ error: any Error) -> PKIIssueResult.Entry {
        let pkiError = error as? PKIError ?? PKIError(.signingFailed, "\(profile.name): \(error)")
        return entry(profile, .failed, [pkiError.message], nil, error: pkiError)
    }
}

/// A thread-safe count of finished certificates, for progress lines.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
}

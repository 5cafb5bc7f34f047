import Foundation
import X509

/// What `pki issue` will do for each certificate, decided before anything is written.
public struct PKIPlan: Sendable {
    public enum Action: Sendable, Equatable {
        case keep
        /// No certificate on disk. `reuseKey` when a fitting key file is already there.
        case issue(reason: String, reuseKey: Bool)
        /// A certificate is on disk but no longer fits; the old files are backed up first.
        case reissue(reasons: [String], reuseKey: Bool)
        /// Cannot proceed without the user deciding something.
        case blocked(PKIError)

        public var writes: Bool {
            switch self {
            case .issue, .reissue: return true
            case .keep, .blocked: return false
            }
        }

        public var reuseKey: Bool {
            switch self {
            case .issue(_, let reuse), .reissue(_, let reuse): return reuse
            case .keep, .blocked: return false
            }
        }
    }

    public struct Item: Sendable {
        public var profile: CertificateProfile
        public var action: Action
    }

    public var items: [Item]
    /// Things worth telling that need no action now (a CA subject that drifted, a key mode tightened).
    public var notes: [String]
    /// Key files whose mode is wider than 0600.
    public var keysToTighten: [String]

    public var blocked: [PKIError] {
        items.compactMap { if case .blocked(let error) = $0.action { return error } else { return nil } }
    }
}

public enum PKIPlanner {
    /// Certificates that expire within this window are re-issued.
    public static let renewalWindow: TimeInterval = 30 * 86_400

    public static func plan(profiles: [CertificateProfile], existing: [String: StoredMaterial], store: PKIStore,
                            now: Date, newCA: Bool = false, renew: Set<String> = [], rotated: Set<String> = []) -> PKIPlan {
        var items: [PKIPlan.Item] = []
        var notes: [String] = []
        var caState: [String: CAState] = [:]
        let display = DisplayPath.relative

        for profile in profiles where profile.isCA {
            let material = existing[profile.name] ?? StoredMaterial()
            let (action, state, caNotes) = planCA(profile, material: material, store: store, now: now, newCA: newCA, display: display)
            items.append(.init(profile: profile, action: action))
            caState[profile.name] = state
            notes += caNotes
        }
        for profile in profiles where !profile.isCA {
            let material = existing[profile.name] ?? StoredMaterial()
            let issuer = profile.issuer ?? ClusterCertificates.caName
            var action = planLeaf(profile, material: material, issuer: caState[issuer] ?? .unusable, store: store, now: now,
                                  renew: renew.contains(profile.name), rotated: rotated.contains(issuer), display: display)
            if action.writes, case .withoutKey(let path)? = caState[issuer] {
                action = .blocked(PKIError(.missingCAKey, "\(display(store.certificatePath(profile.name))) needs signing but \(path) is missing",
                                           fix: "restore \(path) from your backup, or run `hardway pki issue --new-ca` to start a new CA (every certificate is then re-issued)"))
            }
            if action.writes, case .unusable? = caState[issuer] {
                action = .blocked(PKIError(.invalidCA, "\(display(store.certificatePath(profile.name))) cannot be signed: \(display(store.certificatePath(issuer))) is not usable",
                                           fix: "fix the CA first (see the error for \(issuer))"))
            }
            items.append(.init(profile: profile, action: action))
        }
        // An existing PKI from before etcd had its own CA: etcd's certificates move to the new one.
        // A running etcd trusts only the old CA, so apply rolls the change member by member.
        if case .new? = caState[ClusterCertificates.etcdCAName], case .kept? = caState[ClusterCertificates.caName] {
            notes.append("\(display(store.certificatePath(ClusterCertificates.etcdCAName))) is new: etcd's certificates and the API server's etcd client move to it, so no other certificate of the cluster can reach etcd; `hardway render` then `hardway apply` move a running etcd over one member at a time (the new CA trusted beside the old until every member and API server has rolled)")
        }
        let keysToTighten = profiles.map(\.name).filter { name in
            guard let mode = existing[name]?.keyMode else { return false }
            return mode & 0o077 != 0
        }
        for name in keysToTighten {
            notes.append("\(display(store.keyPath(name))) was readable by others; its mode is set to 0600")
        }
        return PKIPlan(items: items, notes: notes, keysToTighten: keysToTighten)
    }

    enum CAState {
        /// Valid on disk and kept: leaves must chain to it.
        case kept(Certificate)
        /// Made in this run: every leaf is re-issued under it.
        case new
        /// The certificate is there but its key is not: leaves can be checked, not signed.
        case withoutKey(keyPath: String)
        case unusable
    }

    static func planCA(_ profile: CertificateProfile, material: StoredMaterial, store: PKIStore, now: Date, newCA: Bool,
                       display: (String) -> String) -> (PKIPlan.Action, CAState, [String]) {
        let certPath = display(store.certificatePath(profile.name))
        let keyPath = display(store.keyPath(profile.name))
        if newCA {
            if material.exists { return (.reissue(reasons: ["replaced as asked by --new-ca"], reuseKey: false), .new, []) }
            return (.issue(reason: "new CA", reuseKey: false), .new, [])
        }
        guard material.certificatePEM != nil else {
            if let key = material.key, key.algorithm == profile.keyAlgorithm {
                return (.issue(reason: "\(certPath) was missing; made again from the existing \(keyPath)", reuseKey: true), .new, [])
            }
            if material.keyPEM != nil {
                return (.blocked(PKIError(.invalidCA, "\(certPath) is missing but \(keyPath) is there and does not fit pki.keyAlgorithm",
                                          fix: "restore \(certPath) from your backup, or run `hardway pki issue --new-ca`")), .unusable, [])
            }
            return (.issue(reason: "new CA", reuseKey: false), .new, [])
        }
        guard let certificate = material.certificate else {
            return (.blocked(PKIError(.invalidCA, material.certificateProblem ?? "\(certPath) is not readable",
                                      fix: "restore it from your backup, or run `hardway pki issue --new-ca`")), .unusable, [])
        }
        guard certificate.isCertificateAuthority else {
            return (.blocked(PKIError(.invalidCA, "\(certPath) is not a CA certificate (no CA:TRUE basic constraint)",
                                      fix: "put the cluster's CA in \(certPath), or run `hardway pki issue --new-ca`")), .unusable, [])
        }
        if certificate.notValidAfter <= now {
            return (.blocked(PKIError(.invalidCA, "\(certPath) expired on \(UTCTime.day(certificate.notValidAfter))",
                                      fix: "run `hardway pki issue --new-ca`: every certificate is re-issued and must be distributed again")), .unusable, [])
        }
        var notes: [String] = []
        let daysLeft = Int(certificate.notValidAfter.timeIntervalSince(now) / 86_400)
        if daysLeft < 90 {
            notes.append("\(certPath) expires in \(daysLeft) days; plan `hardway pki issue --new-ca` before then")
        }
        if SubjectName(certificate.subject) != profile.subject {
            notes.append("\(certPath) has subject \"\(SubjectName(certificate.subject).description)\", the cluster file now asks for \"\(profile.subject.description)\"; the CA is kept (replacing it takes --new-ca)")
        }
        guard material.keyPEM != nil else {
            return (.keep, .withoutKey(keyPath: keyPath), notes)
        }
        guard let key = material.key else {
            return (.blocked(PKIError(.invalidCA, material.keyProblem ?? "\(keyPath) is not readable",
                                      fix: "restore \(keyPath) from your backup, or run `hardway pki issue --new-ca`")), .unusable, notes)
        }
        guard key.key.publicKey == certificate.publicKey else {
            return (.blocked(PKIError(.invalidCA, "\(keyPath) is not the key of \(certPath)",
                                      fix: "restore the matching pair from your backup, or run `hardway pki issue --new-ca`")), .unusable, notes)
        }
        return (.keep, .kept(certificate), notes)
    }

    static func planLeaf(_ profile: CertificateProfile, material: StoredMaterial, issuer: CAState, store: PKIStore, now: Date,
                         renew: Bool, rotated: Bool = false, display: (String) -> String) -> PKIPlan.Action {
        let certPath = display(store.certificatePath(profile.name))
        let keyPath = display(store.keyPath(profile.name))
        let keyFits = material.key.map { $0.algorithm == profile.keyAlgorithm } ?? false

        if renew {
            return material.exists ? .reissue(reasons: ["renewed as asked by --renew"], reuseKey: false)
                                   : .issue(reason: "missing", reuseKey: false)
        }
        guard material.certificatePEM != nil else {
            return .issue(reason: "missing", reuseKey: keyFits)
        }
        if case .new = issuer {
            return .reissue(reasons: ["its CA \(profile.issuer ?? ClusterCertificates.caName) is new"], reuseKey: keyFits)
        }
        guard let certificate = material.certificate else {
            return .reissue(reasons: [material.certificateProblem ?? "\(certPath) is not readable"], reuseKey: keyFits)
        }
        if case .kept(let ca) = issuer, !CertificateSigner.isSigned(certificate, by: ca), rotated {
            let name = profile.issuer ?? ClusterCertificates.caName
            return .reissue(reasons: ["its CA \(name) was rotated: issued again from the new \(name)"], reuseKey: keyFits)
        }
        if case .kept(let ca) = issuer, !CertificateSigner.isSigned(certificate, by: ca) {
            let issuerName = SubjectName(certificate.issuer).description
            return .blocked(PKIError(.foreignIssuer,
                                     "\(certPath) was not signed by \(display(store.certificatePath(profile.issuer ?? ClusterCertificates.caName))) (its issuer is \"\(issuerName)\")",
                                     fix: "run `hardway pki issue --renew \(profile.name)` to replace it with one from this CA"))
        }
        guard material.keyPEM != nil else {
            return .reissue(reasons: ["\(keyPath) is missing"], reuseKey: false)
        }
        guard let key = material.key else {
            return .reissue(reasons: [material.keyProblem ?? "\(keyPath) is not readable"], reuseKey: false)
        }
        guard key.key.publicKey == certificate.publicKey else {
            return .reissue(reasons: ["\(keyPath) is not the key of \(certPath)"], reuseKey: false)
        }
        if let algorithm = key.algorithm, algorithm != profile.keyAlgorithm {
            return .reissue(reasons: ["its key is \(algorithm), pki.keyAlgorithm asks for \(profile.keyAlgorithm)"], reuseKey: false)
        }
        let reasons = differences(certificate, profile: profile, now: now)
        return reasons.isEmpty ? .keep : .reissue(reasons: reasons, reuseKey: true)
    }

    /// Why an existing certificate no longer fits its profile; empty when it does.
    public static func differences(_ certificate: Certificate, profile: CertificateProfile, now: Date) -> [String] {
        var reasons: [String] = []
        let subject = SubjectName(certificate.subject)
        if subject != profile.subject {
            reasons.append("subject is \"\(subject.description)\", the cluster file asks for \"\(profile.subject.description)\"")
        }
        let current = Self.sans(of: certificate)
        let wanted = profile.sans
        let added = wanted.filter { !current.contains($0) }
        let removed = current.filter { !wanted.contains($0) }
        if !added.isEmpty || !removed.isEmpty {
            var parts: [String] = []
            if !added.isEmpty { parts.append("SANs to add: \(added.map(\.shortDescription).joined(separator: ", "))") }
            if !removed.isEmpty { parts.append("SANs to remove: \(removed.map(\.shortDescription).joined(separator: ", "))") }
            reasons.append(parts.joined(separator: "; "))
        }
        let template = profile.template
        if certificate.keyUsageValue != template.keyUsage || Set(certificate.extendedKeyUsages) != Set(template.extendedKeyUsage) {
            reasons.append("key usages do not fit a \(profile.role.rawValue) certificate")
        }
        let left = certificate.notValidAfter.timeIntervalSince(now)
        if left <= 0 {
            reasons.append("expired on \(UTCTime.day(certificate.notValidAfter))")
        } else if left < renewalWindow {
            reasons.append("expires in \(Int(left / 86_400)) days")
        }
        return reasons
    }

    public static func sans(of certificate: Certificate) -> [SubjectAltName] { certificate.subjectAltNames }
}

import Foundation
import X509

/// The cluster's CA certificates by name and role, old and new while a rotation is under way, and
/// the retired ones: what names the CA that signed a served certificate, or the CAs a trust file
/// holds, in `check` and in `pki rotate-ca`'s refusals.
public struct CACatalog: Sendable {
    public enum Role: String, Sendable, Codable {
        /// The only CA of its name (no rotation under way).
        case current
        case old, new
        /// Kept under `retired/` after a finished rotation.
        case retired
    }

    public struct Entry: Sendable {
        public var ca: String
        public var role: Role
        public var certificate: Certificate
        /// The certificate's base64 body, as a trust file holds it.
        public var body: String
        public var fingerprint: String

        /// `ca`, `ca (new)`, `ca (retired 3f2a…)`.
        public var label: String {
            switch role {
            case .current: return ca
            case .old, .new: return "\(ca) (\(role.rawValue))"
            case .retired: return "\(ca) (retired \(fingerprint.prefix(8)))"
            }
        }
    }

    public var entries: [Entry]

    /// The base64 bodies of the certificates in a PEM text.
    public static func bodies(_ pem: String) -> [String] {
        var found: [String] = [], body = "", inside = false
        for line in pem.split(whereSeparator: \.isNewline) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text == "-----BEGIN CERTIFICATE-----" { inside = true; body = ""; continue }
            if text == "-----END CERTIFICATE-----" { if inside, !body.isEmpty { found.append(body) }; inside = false; continue }
            if inside { body += text }
        }
        return found
    }

    public init(entries: [Entry]) { self.entries = entries }

    /// The CAs of `names` in `store`, with the rotation's other CA and the retired ones.
    public init(store: PKIStore, names: [String]) throws {
        let rotation = try CARotation.load(store)
        var entries: [Entry] = []
        func add(_ ca: String, _ role: Role, _ path: String) {
            guard let pem = try? String(contentsOfFile: path, encoding: .utf8), let certificate = try? Certificate(pemEncoded: pem),
                  let body = Self.bodies(pem).first, let fingerprint = try? CARotation.fingerprint(certificate),
                  !entries.contains(where: { $0.fingerprint == fingerprint }) else { return }
            entries.append(Entry(ca: ca, role: role, certificate: certificate, body: body, fingerprint: fingerprint))
        }
        for ca in names {
            let rotating = rotation?.cas.first { $0.ca == ca }
            let retired = "\(store.directory)/\(CARotation.retiredDirectory)"
            switch (rotation?.stage, rotating) {
            case (.trustBoth?, _?):
                add(ca, .old, store.certificatePath(ca))
                add(ca, .new, store.certificatePath(CARotation.nextName(ca)))
            case (.newLeaves?, let entry?):
                add(ca, .new, store.certificatePath(ca))
                add(ca, .old, "\(retired)/\(ca)-\(entry.old.prefix(16)).pem")
            default:
                add(ca, .current, store.certificatePath(ca))
            }
            let files = (try? FileManager.default.contentsOfDirectory(atPath: retired)) ?? []
            for file in files.sorted() where file.hasPrefix("\(ca)-") && file.hasSuffix(".pem") && !file.hasSuffix("-key.pem")
                && file.dropFirst(ca.count + 1).dropLast(4).allSatisfy(\.isHexDigit) {
                add(ca, .retired, "\(retired)/\(file)")
            }
        }
        self.entries = entries
    }

    /// The CA that signed `pem`'s first certificate; nil when none of the catalog did.
    public func issuer(of pem: String) -> Entry? {
        guard let certificate = try? Certificate(pemEncoded: pem) else { return nil }
        return entries.first { CertificateSigner.isSigned(certificate, by: $0.certificate) }
    }

    /// The catalog's CAs that a trust file (PEM bundle) holds, in its order; `unknown` counts the
    /// certificates it holds that are none of them.
    public func trusted(_ pem: String) -> (cas: [Entry], unknown: Int) {
        var cas: [Entry] = [], unknown = 0
        for body in Self.bodies(pem) {
            if let entry = entries.first(where: { $0.body == body }) { cas.append(entry) } else { unknown += 1 }
        }
        return (cas, unknown)
    }

    /// Whether every certificate of `pem` is one of the catalog's CAs (a trust file, not a leaf).
    public func isTrustFile(_ pem: String) -> Bool {
        let bodies = Self.bodies(pem)
        return !bodies.isEmpty && bodies.allSatisfy { body in entries.contains { $0.body == body } }
    }
}

import Foundation
import Crypto
import SwiftASN1
import X509

/// A CA replaced in stages (`hardway pki rotate-ca`), as `<pki>/rotation.json` records it. The old
/// CA keeps its name (`ca.pem`) until the new one signs:
///
/// 1. `trust-both`: the new CA is issued beside the old as `<ca>-next.pem` (and its key); every trust
///    point holds both, the old one first, still signing.
/// 2. `new-leaves`: the new CA takes the name and signs every leaf again; the old one is kept under
///    `retired/<ca>-<fingerprint>.pem` and is still trusted beside the new.
/// 3. finished: the record goes; the trust points hold the new CA alone; `retired/` keeps the old.
///
/// Each step is refused out of its order; each file is written whole, and a step cut halfway can be
/// run again.
public struct CARotation: Codable, Sendable, Equatable {
    public enum Stage: String, Codable, Sendable {
        case trustBoth = "trust-both", newLeaves = "new-leaves"
    }

    public struct Entry: Codable, Sendable, Equatable {
        public var ca: String
        /// SHA-256 fingerprints (hex) of the CA certificates.
        public var old: String
        public var new: String
    }

    public var stage: Stage
    public var cas: [Entry]
    public var started: Date

    public static let fileName = "rotation.json"
    public static let retiredDirectory = "retired"
    public static func nextName(_ ca: String) -> String { "\(ca)-next" }

    static func path(_ store: PKIStore) -> String { "\(store.directory)/\(fileName)" }

    /// The rotation under way in `store`, if any.
    public static func load(_ store: PKIStore) throws -> CARotation? {
        let path = path(store)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(CARotation.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw PKIError(.unreadableFile, "\(path) is not a CA rotation record: \(error)", fix: "restore it from \(store.directory)/replaced/, or remove it only if no rotation was begun")
        }
    }

    func save(_ store: PKIStore) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(String(decoding: try encoder.encode(self), as: UTF8.self) + "\n", to: Self.path(store), mode: 0o644)
    }

    /// SHA-256 of the certificate's DER, in hex.
    public static func fingerprint(_ certificate: Certificate) throws -> String {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return SHA256.hash(data: serializer.serializedBytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Step 1: a new CA beside each old one of `profiles` (CA profiles of the cluster), with the
    /// profile's subject, key algorithm and validity. Refused while another rotation is under way.
    public static func begin(_ store: PKIStore, profiles: [CertificateProfile], now: Date) throws -> CARotation {
        if let current = try load(store) {
            throw PKIError(.rotationOrder, "a rotation of \(current.cas.map(\.ca).joined(separator: ", ")) is under way (\(current.stage.rawValue))",
                           fix: "finish it first: `hardway pki rotate-ca -f <cluster file>` for its next step")
        }
        var entries: [Entry] = []
        var files: [(name: String, contents: String, mode: mode_t)] = []
        for profile in profiles {
            guard profile.isCA else { throw PKIError(.unknownName, "\(profile.name) is not a CA", fix: "name a CA: ca, etcd-ca or front-proxy-ca") }
            let old = store.load(profile.name)
            guard let oldCertificate = old.certificate, old.key != nil else {
                throw PKIError(.invalidCA, "\(store.certificatePath(profile.name)) or its key is missing or unreadable", fix: "run `hardway pki issue -f <cluster file>` first")
            }
            let key = try PrivateKeyMaterial.generate(profile.keyAlgorithm)
            let issued = try CertificateSigner.issue(profile.template, key: key.key, authority: nil, now: now)
            entries.append(Entry(ca: profile.name, old: try fingerprint(oldCertificate), new: try fingerprint(issued.certificate)))
            files += [("\(nextName(profile.name)).pem", issued.certificatePEM, 0o644), ("\(nextName(profile.name))-key.pem", key.pem, 0o600)]
        }
        for file in files { try AtomicFile.write(file.contents, to: "\(store.directory)/\(file.name)", mode: file.mode) }
        // Whole seconds: what the record keeps (ISO 8601).
        let rotation = CARotation(stage: .trustBoth, cas: entries, started: Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)))
        try rotation.save(store)
        return rotation
    }

    /// Step 2: each new CA takes its name and signs from now on; the old one moves to `retired/`.
    /// The leaves it signed must then be issued again (`pki issue --renew`).
    public mutating func advance(_ store: PKIStore) throws {
        guard stage == .trustBoth else {
            throw PKIError(.rotationOrder, "the new CAs already sign (\(stage.rawValue)); what is left is to finish", fix: "`hardway pki rotate-ca -f <cluster file> --finish` once apply has rolled the new leaves")
        }
        let retired = "\(store.directory)/\(Self.retiredDirectory)"
        try FileManager.default.createDirectory(atPath: retired, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for entry in cas {
            let next = store.load(Self.nextName(entry.ca))
            guard let certificate = next.certificatePEM, let key = next.keyPEM else {
                throw PKIError(.invalidCA, "\(store.certificatePath(Self.nextName(entry.ca))) or its key is missing", fix: "restore it from a backup of \(store.directory); without it the rotation cannot go on")
            }
            // The old CA is kept first, and only once: a step cut after the new key took the name
            // and run again must not keep the new key as the old one.
            let base = "\(retired)/\(entry.ca)-\(entry.old.prefix(16))"
            let old = store.load(entry.ca)
            if !FileManager.default.fileExists(atPath: "\(base)-key.pem"), let certificate = old.certificatePEM, let key = old.keyPEM {
                try AtomicFile.write(certificate, to: "\(base).pem", mode: 0o644)
                try AtomicFile.write(key, to: "\(base)-key.pem", mode: 0o600)
            }
            try AtomicFile.write(key, to: store.keyPath(entry.ca), mode: 0o600)
            try AtomicFile.write(certificate, to: store.certificatePath(entry.ca), mode: 0o644)
            for path in [store.certificatePath(Self.nextName(entry.ca)), store.keyPath(Self.nextName(entry.ca))] { try? FileManager.default.removeItem(atPath: path) }
        }
        stage = .newLeaves
        try save(store)
    }

    /// Step 3: the old CAs leave every trust point; the record goes, `retired/` stays.
    public func finish(_ store: PKIStore) throws {
        guard stage == .newLeaves else {
            throw PKIError(.rotationOrder, "the new CAs do not sign yet (\(stage.rawValue))", fix: "run `hardway pki rotate-ca -f <cluster file>` (step 2) and apply first")
        }
        try FileManager.default.removeItem(atPath: Self.path(store))
    }

    /// What every trust point holds beside each CA now: the new CA in step 1, the old in step 2.
    public func alsoTrusted(_ store: PKIStore) -> [String: String] {
        var trusted: [String: String] = [:]
        for entry in cas {
            let path = stage == .trustBoth ? store.certificatePath(Self.nextName(entry.ca))
                                           : "\(store.directory)/\(Self.retiredDirectory)/\(entry.ca)-\(entry.old.prefix(16)).pem"
            trusted[entry.ca] = try? String(contentsOfFile: path, encoding: .utf8)
        }
        return trusted
    }
}

import Foundation
import SwiftASN1
import X509

/// What `pki inspect` shows about one certificate.
public struct CertificateSummary: Sendable, Codable {
    public var file: String
    public var name: String
    public var subject: String
    public var commonName: String?
    public var organizations: [String]
    public var issuer: String
    public var sans: [String]
    /// Compact purpose: "ca", "server", "client", "server,client" or the key usages when there is no EKU.
    public var usages: String
    public var keyUsage: [String]
    public var extendedKeyUsage: [String]
    public var isCA: Bool
    public var key: String
    public var serial: String
    public var notBefore: Date
    public var notAfter: Date
    public var daysLeft: Int

    public init(certificate: Certificate, file: String, now: Date) {
        self.file = file
        let base = (file as NSString).lastPathComponent
        self.name = base.hasSuffix(".pem") ? String(base.dropLast(4)) : base
        let subject = SubjectName(certificate.subject)
        self.subject = subject.description
        self.commonName = subject.commonName
        self.organizations = subject.organization
        self.issuer = SubjectName(certificate.issuer).description
        self.sans = certificate.subjectAltNames.map(\.description)
        self.keyUsage = Self.names(certificate.keyUsageValue)
        let ekus = certificate.extendedKeyUsages
        self.extendedKeyUsage = ekus.map(Self.name)
        isCA = certificate.isCertificateAuthority
        if isCA {
            usages = "ca"
        } else if !ekus.isEmpty {
            usages = ekus.map { $0 == .serverAuth ? "server" : $0 == .clientAuth ? "client" : Self.name($0) }.joined(separator: ",")
        } else {
            usages = self.keyUsage.joined(separator: ",")
        }
        self.key = PrivateKeyMaterial.algorithm(of: certificate.publicKey)?.description ?? "unknown"
        self.serial = certificate.serialNumber.bytes.map { String(format: "%02x", $0) }.joined(separator: ":")
        self.notBefore = certificate.notValidBefore
        self.notAfter = certificate.notValidAfter
        self.daysLeft = Int((certificate.notValidAfter.timeIntervalSince(now) / 86_400).rounded(.down))
    }

    static func names(_ usage: KeyUsage?) -> [String] {
        guard let usage else { return [] }
        var names: [String] = []
        if usage.digitalSignature { names.append("digital signature") }
        if usage.nonRepudiation { names.append("content commitment") }
        if usage.keyEncipherment { names.append("key encipherment") }
        if usage.dataEncipherment { names.append("data encipherment") }
        if usage.keyAgreement { names.append("key agreement") }
        if usage.keyCertSign { names.append("cert sign") }
        if usage.cRLSign { names.append("crl sign") }
        if usage.encipherOnly { names.append("encipher only") }
        if usage.decipherOnly { names.append("decipher only") }
        return names
    }

    static func name(_ usage: ExtendedKeyUsage.Usage) -> String {
        switch usage {
        case .serverAuth: return "server auth"
        case .clientAuth: return "client auth"
        case .codeSigning: return "code signing"
        case .emailProtection: return "email protection"
        case .timeStamping: return "timestamping"
        case .ocspSigning: return "ocsp signing"
        case .any: return "any"
        default: return "\(usage)"
        }
    }
}

/// PEM files of a directory the way cfssljson lays them out, read without judging them.
public struct PEMDirectory: Sendable {
    public struct CertificateFile: Sendable {
        public var path: String
        public var certificates: [Certificate]
        public var problem: String?
    }

    public struct KeyFile: Sendable {
        public var path: String
        public var key: PrivateKeyMaterial?
        public var mode: mode_t
        public var problem: String?
    }

    public var certificates: [CertificateFile] = []
    /// Keys by the certificate name they belong to (`admin` for `admin-key.pem`).
    public var keys: [String: KeyFile] = [:]

    /// Reads `path`: a directory (its `*.pem`, `*.crt`; not below) or a single file.
    public static func read(_ path: String) throws -> PEMDirectory {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PKIError(.unreadableFile, "\(path) does not exist", fix: "give a PEM file or a directory of them, like ./mycluster/pki")
        }
        var result = PEMDirectory()
        let files: [String]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            files = names.sorted().filter { $0.hasSuffix(".pem") || $0.hasSuffix(".crt") }.map { base == "." ? $0 : "\(base)/\($0)" }
        } else {
            files = [path]
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            if text.contains("PRIVATE KEY-----") {
                let base = (file as NSString).lastPathComponent
                let owner = base.hasSuffix("-key.pem") ? String(base.dropLast(8)) : String(base.dropLast(4))
                var info = stat()
                let mode = stat(file, &info) == 0 ? info.st_mode & 0o777 : 0
                do {
                    result.keys[owner] = KeyFile(path: file, key: try PrivateKeyMaterial(pem: text), mode: mode)
                } catch {
                    result.keys[owner] = KeyFile(path: file, key: nil, mode: mode, problem: "\(file) is not a private key hardway can read (encrypted, or an unsupported type)")
                }
            } else if text.contains("-----BEGIN CERTIFICATE-----") {
                do {
                    let documents = try PEMDocument.parseMultiple(pemString: text).filter { $0.discriminator == "CERTIFICATE" }
                    result.certificates.append(CertificateFile(path: file, certificates: try documents.map { try Certificate(derEncoded: $0.derBytes) }))
                } catch {
                    result.certificates.append(CertificateFile(path: file, certificates: [], problem: "\(file) holds a certificate that cannot be parsed"))
                }
            } else if !isDirectory.boolValue {
                throw PKIError(.unreadableFile, "\(file) holds no PEM certificate", fix: "give a file with -----BEGIN CERTIFICATE-----")
            }
        }
        return result
    }

    public func summaries(now: Date) -> [CertificateSummary] {
        certificates.flatMap { file in file.certificates.map { CertificateSummary(certificate: $0, file: file.path, now: now) } }
    }
}

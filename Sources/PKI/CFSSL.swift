import Foundation
import X509
import ClusterModel

/// A cfssl CSR file (`admin-csr.json`): CN, hosts, key and names, as the tutorials write them.
public struct CFSSLRequest: Sendable, Equatable {
    public var commonName: String?
    public var hosts: [String]
    public var keyAlgorithm: PrivateKeyMaterial.Algorithm
    public var subject: SubjectName
    /// `ca.expiry` of an `-initca` request.
    public var caExpiry: ValidityDuration?
    public var caPathLength: Int?
    /// Fields cfssl would silently ignore, reported so a typo ("host" for "hosts") is seen.
    public var ignoredFields: [String]

    public static func parse(_ data: Data, file: String) throws -> CFSSLRequest {
        guard let object = try? JSONSerialization.jsonObject(with: data), let json = object as? [String: Any] else {
            throw PKIError(.invalidRequest, "\(file) is not a JSON object", fix: "it should look like {\"CN\": \"admin\", \"key\": {\"algo\": \"rsa\", \"size\": 2048}, \"names\": [...]}")
        }
        var ignored = json.keys.filter { !["CN", "hosts", "key", "names", "ca"].contains($0) }.sorted()
        var request = CFSSLRequest(commonName: json["CN"] as? String, hosts: [], keyAlgorithm: .ecdsa(curve: 256),
                                   subject: SubjectName(), caExpiry: nil, caPathLength: nil, ignoredFields: [])
        if let hosts = json["hosts"] {
            guard let list = hosts as? [Any], list.allSatisfy({ $0 is String }) else {
                throw PKIError(.invalidRequest, "\(file): \"hosts\" must be a list of names and addresses", fix: "write \"hosts\": [\"10.32.0.1\", \"kubernetes\"]")
            }
            request.hosts = list.compactMap { $0 as? String }
        }
        // cfssl's default key when none is given is ecdsa-256.
        if let key = json["key"] {
            guard let key = key as? [String: Any] else {
                throw PKIError(.invalidRequest, "\(file): \"key\" must be an object", fix: "write \"key\": {\"algo\": \"rsa\", \"size\": 2048}")
            }
            let algo = (key["algo"] as? String ?? "ecdsa").lowercased()
            let size = (key["size"] as? Int) ?? (algo == "rsa" ? 2048 : 256)
            switch algo {
            case "rsa": request.keyAlgorithm = .rsa(bits: size)
            case "ecdsa": request.keyAlgorithm = .ecdsa(curve: size)
            default:
                throw PKIError(.invalidRequest, "\(file): key algorithm \"\(algo)\" is not supported", fix: "use \"rsa\" (2048, 3072, 4096) or \"ecdsa\" (256, 384, 521)")
            }
            ignored += key.keys.filter { !["algo", "size"].contains($0) }.map { "key.\($0)" }.sorted()
        }
        if let names = json["names"] {
            guard let list = names as? [[String: Any]] else {
                throw PKIError(.invalidRequest, "\(file): \"names\" must be a list of objects", fix: "write \"names\": [{\"C\": \"UK\", \"O\": \"system:masters\"}]")
            }
            for (index, name) in list.enumerated() {
                func value(_ key: String) -> [String] { (name[key] as? String).map { $0.isEmpty ? [] : [$0] } ?? [] }
                request.subject.country += value("C")
                request.subject.state += value("ST")
                request.subject.locality += value("L")
                request.subject.organization += value("O")
                request.subject.organizationalUnit += value("OU")
                ignored += name.keys.filter { !["C", "ST", "L", "O", "OU", "SerialNumber"].contains($0) }.map { "names[\(index)].\($0)" }.sorted()
            }
        }
        request.subject.commonName = request.commonName
        if let ca = json["ca"] as? [String: Any] {
            if let expiry = ca["expiry"] as? String {
                guard let duration = ValidityDuration(expiry) else {
                    throw PKIError(.invalidRequest, "\(file): ca.expiry \"\(expiry)\" is not a duration", fix: "write hours, like \"87600h\"")
                }
                request.caExpiry = duration
            }
            if let length = ca["pathlen"] as? Int, length > 0 { request.caPathLength = length }
            if ca["pathlenzero"] as? Bool == true { request.caPathLength = 0 }
        }
        request.ignoredFields = ignored
        return request
    }
}

/// A cfssl signing configuration (`ca-config.json`): the default profile and the named ones.
public struct CFSSLConfig: Sendable, Equatable {
    public struct Profile: Sendable, Equatable {
        public var usages: [String]
        public var expiry: ValidityDuration
        public var isCA: Bool
        public var maxPathLength: Int?
    }

    public var defaultProfile: Profile
    public var profiles: [String: Profile]

    public init(defaultProfile: Profile = CFSSLConfig.builtinDefault, profiles: [String: Profile] = [:]) {
        self.defaultProfile = defaultProfile
        self.profiles = profiles
    }

    /// cfssl's built-in default: one year, signing, key encipherment, server auth, client auth.
    public static let builtinDefault = Profile(usages: ["signing", "key encipherment", "server auth", "client auth"],
                                               expiry: ValidityDuration(hours: 8760), isCA: false, maxPathLength: nil)

    public static func parse(_ data: Data, file: String) throws -> CFSSLConfig {
        guard let object = try? JSONSerialization.jsonObject(with: data), let json = object as? [String: Any] else {
            throw PKIError(.invalidConfig, "\(file) is not a JSON object", fix: "it should look like {\"signing\": {\"default\": {\"expiry\": \"8760h\"}, \"profiles\": {...}}}")
        }
        guard let signing = json["signing"] as? [String: Any] else {
            throw PKIError(.invalidConfig, "\(file) has no \"signing\" section", fix: "add {\"signing\": {\"default\": {\"expiry\": \"8760h\"}}}")
        }
        func profile(_ object: Any?, name: String, fallback: Profile) throws -> Profile {
            guard let object = object as? [String: Any] else { return fallback }
            var result = fallback
            if let usages = object["usages"] as? [String], !usages.isEmpty { result.usages = usages }
            if let expiry = object["expiry"] as? String {
                guard let duration = ValidityDuration(expiry) else {
                    throw PKIError(.invalidConfig, "\(file): \(name).expiry \"\(expiry)\" is not a duration", fix: "write hours, like \"8760h\"")
                }
                result.expiry = duration
            }
            if let constraint = object["ca_constraint"] as? [String: Any] {
                result.isCA = constraint["is_ca"] as? Bool ?? false
                if let length = constraint["max_path_len"] as? Int, length > 0 { result.maxPathLength = length }
                if constraint["max_path_len_zero"] as? Bool == true { result.maxPathLength = 0 }
            }
            for usage in result.usages where CFSSLUsage.lookup(usage) == nil {
                throw PKIError(.invalidConfig, "\(file): \(name) has an unknown usage \"\(usage)\"",
                               fix: "use cfssl's words: \(CFSSLUsage.known.joined(separator: ", "))")
            }
            return result
        }
        let defaultProfile = try profile(signing["default"], name: "signing.default", fallback: builtinDefault)
        var profiles: [String: Profile] = [:]
        for (name, object) in (signing["profiles"] as? [String: Any]) ?? [:] {
            profiles[name] = try profile(object, name: "signing.profiles.\(name)", fallback: Profile(usages: defaultProfile.usages, expiry: defaultProfile.expiry, isCA: false, maxPathLength: nil))
        }
        return CFSSLConfig(defaultProfile: defaultProfile, profiles: profiles)
    }

    /// The named profile, or the default for nil. Unlike cfssl, an unknown name is an error, not
    /// a silent fall-back to the default.
    public func profile(_ name: String?, file: String) throws -> Profile {
        guard let name else { return defaultProfile }
        guard let profile = profiles[name] else {
            let known = profiles.keys.sorted()
            throw PKIError(.unknownProfile, "\(file) has no profile \"\(name)\"",
                           fix: known.isEmpty ? "drop -profile to use signing.default" : "use one of: \(known.joined(separator: ", "))")
        }
        return profile
    }
}

/// cfssl's usage words mapped to key usages and extended key usages.
enum CFSSLUsage {
    enum KeyBit: Sendable { case digitalSignature, contentCommitment, keyEncipherment, keyAgreement, dataEncipherment, certSign, crlSign, encipherOnly, decipherOnly }
    enum Kind: Sendable { case key(KeyBit), extended(ExtendedKeyUsage.Usage) }

    static let table: [String: Kind] = [
        "signing": .key(.digitalSignature), "digital signature": .key(.digitalSignature),
        "content commitment": .key(.contentCommitment), "key encipherment": .key(.keyEncipherment),
        "key agreement": .key(.keyAgreement), "data encipherment": .key(.dataEncipherment),
        "cert sign": .key(.certSign), "crl sign": .key(.crlSign),
        "encipher only": .key(.encipherOnly), "decipher only": .key(.decipherOnly),
        "any": .extended(.any), "server auth": .extended(.serverAuth), "client auth": .extended(.clientAuth),
        "code signing": .extended(.codeSigning), "email protection": .extended(.emailProtection),
        "s/mime": .extended(.emailProtection), "timestamping": .extended(.timeStamping), "ocsp signing": .extended(.ocspSigning),
        "ipsec end system": .extended(.init(oid: [1, 3, 6, 1, 5, 5, 7, 3, 5])),
        "ipsec tunnel": .extended(.init(oid: [1, 3, 6, 1, 5, 5, 7, 3, 6])),
        "ipsec user": .extended(.init(oid: [1, 3, 6, 1, 5, 5, 7, 3, 7])),
        "microsoft sgc": .extended(.init(oid: [1, 3, 6, 1, 4, 1, 311, 10, 3, 3])),
        "netscape sgc": .extended(.init(oid: [2, 16, 840, 1, 113730, 4, 1])),
    ]

    static var known: [String] { table.keys.sorted() }
    static func lookup(_ word: String) -> Kind? { table[word.lowercased()] }

    static func apply(_ usages: [String]) -> (KeyUsage, [ExtendedKeyUsage.Usage]) {
        var keyUsage = KeyUsage()
        var extended: [ExtendedKeyUsage.Usage] = []
        for usage in usages {
            switch lookup(usage) {
            case .key(let bit)?:
                switch bit {
                case .digitalSignature: keyUsage.digitalSignature = true
                case .contentCommitment: keyUsage.nonRepudiation = true
                case .keyEncipherment: keyUsage.keyEncipherment = true
                case .keyAgreement: keyUsage.keyAgreement = true
                case .dataEncipherment: keyUsage.dataEncipherment = true
                case .certSign: keyUsage.keyCertSign = true
                case .crlSign: keyUsage.cRLSign = true
                case .encipherOnly: keyUsage.encipherOnly = true
                case .decipherOnly: keyUsage.decipherOnly = true
                }
            case .extended(let eku)?:
                if !extended.contains(eku) { extended.append(eku) }
            case nil:
                break
            }
        }
        return (keyUsage, extended)
    }
}

/// `cfssl gencert … | cfssljson -bare NAME`, in one step.
public enum CFSSLSigner {
    /// cfssl's default lifetime for `-initca`: five years.
    public static let defaultCAExpiry = ValidityDuration(hours: 43800)

    /// Checks the hosts list the way the tutorials need it checked: an empty entry is the mark of
    /// a shell variable that was never set, and would become `DNS:` in the certificate.
    public static func checkedHosts(_ hosts: [String], source: String) throws -> [SubjectAltName] {
        if let index = hosts.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw PKIError(.invalidRequest, "\(source) entry \(index + 1) is empty and would become an empty DNS name (DNS:) in the certificate",
                           fix: "a shell variable was probably unset or misspelt: check it and run again")
        }
        return hosts.map(SubjectAltName.init(host:))
    }

    public static func initCA(_ request: CFSSLRequest, now: Date) throws -> (IssuedCertificate, PrivateKeyMaterial) {
        let key = try PrivateKeyMaterial.generate(request.keyAlgorithm)
        let template = CertificateTemplate(subject: request.subject, sans: try checkedHosts(request.hosts, source: "hosts"),
                                           keyUsage: KeyUsage(keyCertSign: true, cRLSign: true), isCA: true,
                                           maxPathLength: request.caPathLength, validity: request.caExpiry ?? defaultCAExpiry)
        return (try CertificateSigner.issue(template, key: key.key, authority: nil, now: now), key)
    }

    public static func sign(_ request: CFSSLRequest, hostnames: [String]?, profile: CFSSLConfig.Profile, authority: CertificateAuthority,
                            now: Date) throws -> (IssuedCertificate, PrivateKeyMaterial) {
        let sans = try checkedHosts(hostnames ?? request.hosts, source: hostnames == nil ? "hosts" : "--hostname")
        let key = try PrivateKeyMaterial.generate(request.keyAlgorithm)
        let (keyUsage, extended) = CFSSLUsage.apply(profile.usages)
        let template = CertificateTemplate(subject: request.subject, sans: sans, keyUsage: keyUsage, extendedKeyUsage: extended,
                                           isCA: profile.isCA, maxPathLength: profile.maxPathLength, validity: profile.expiry)
        return (try CertificateSigner.issue(template, key: key.key, authority: authority, now: now), key)
    }
}

import X509
import ClusterModel

/// What a certificate is for, which fixes its key usages.
public enum CertificateRole: String, Sendable, Codable, CaseIterable {
    /// Signs other certificates: CA:TRUE, keyCertSign and cRLSign.
    case ca
    /// A TLS server: serverAuth.
    case server
    /// A TLS client identity: clientAuth.
    case client
    /// Both ends of TLS, as etcd peers and kubelets (serving and calling the API) are: serverAuth and clientAuth.
    case peer
    /// A signing key pair carried as a certificate (service-account tokens): digitalSignature only.
    case signing

    /// Key usages for a key of `algorithm`: keyEncipherment only for RSA, where it means something.
    public func keyUsage(rsa: Bool) -> KeyUsage {
        switch self {
        case .ca: return KeyUsage(keyCertSign: true, cRLSign: true)
        case .signing: return KeyUsage(digitalSignature: true)
        case .server, .client, .peer: return KeyUsage(digitalSignature: true, keyEncipherment: rsa)
        }
    }

    public var extendedKeyUsage: [ExtendedKeyUsage.Usage] {
        switch self {
        case .ca, .signing: return []
        case .server: return [.serverAuth]
        case .client: return [.clientAuth]
        case .peer: return [.serverAuth, .clientAuth]
        }
    }
}

/// One row of the PKI table: a certificate the cluster needs, named as its files are
/// (`NAME.pem`, `NAME-key.pem`, `NAME.csr`), with the CA that signs it.
public struct CertificateProfile: Sendable, Equatable {
    public var name: String
    /// What it is for, for people: "API server serving certificate".
    public var purpose: String
    /// The profile name of the signing CA; nil for a self-signed root.
    public var issuer: String?
    public var role: CertificateRole
    public var subject: SubjectName
    public var sans: [SubjectAltName]
    public var validity: ValidityDuration
    public var keyAlgorithm: PrivateKeyMaterial.Algorithm

    public var isCA: Bool { role == .ca }

    public var template: CertificateTemplate {
        CertificateTemplate(subject: subject, sans: sans, keyUsage: role.keyUsage(rsa: keyAlgorithm.isRSA),
                            extendedKeyUsage: role.extendedKeyUsage, isCA: isCA, validity: validity)
    }
}

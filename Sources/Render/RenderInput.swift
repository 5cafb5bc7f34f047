import ClusterModel

/// The certificates and keys a render embeds or copies, by the PKI's names (`ca`, `admin`, …).
/// The CLI reads them from `<dir>/pki`; tests pass fixed text.
public struct PKIMaterial: Sendable, Equatable {
    public var certificates: [String: String]
    public var keys: [String: String]
    /// CA name → the CA certificates trusted beside it while that CA is replaced (PEM): the new CA
    /// before it signs, or the old one after. Empty when no CA rotation is under way.
    public var alsoTrusted: [String: String]

    public init(certificates: [String: String] = [:], keys: [String: String] = [:], alsoTrusted: [String: String] = [:]) {
        self.certificates = certificates
        self.keys = keys
        self.alsoTrusted = alsoTrusted
    }

    /// What a trust point of `ca` holds: the CA that signs now, first, then any trusted beside it.
    public func trust(_ ca: String) throws -> String {
        let signer = try certificate(ca)
        guard let extra = alsoTrusted[ca], !extra.isEmpty else { return signer }
        return (signer.hasSuffix("\n") ? signer : signer + "\n") + extra
    }

    public func certificate(_ name: String) throws -> String {
        guard let pem = certificates[name] else {
            throw RenderError(.missingCertificate, "the certificate \(name).pem is missing from the PKI", fix: "run `hardway pki issue -f <cluster file>` first")
        }
        return pem
    }

    public func key(_ name: String) throws -> String {
        guard let pem = keys[name] else {
            throw RenderError(.missingKey, "the key \(name)-key.pem is missing from the PKI", fix: "run `hardway pki issue -f <cluster file>` first")
        }
        return pem
    }
}

/// What a render is made from. Nothing else is read: no clock, no randomness, no files.
public struct RenderInput: Sendable {
    public var cluster: Cluster
    public var pki: PKIMaterial
    public var encryption: EncryptionKeyRing

    public init(cluster: Cluster, pki: PKIMaterial, encryption: EncryptionKeyRing) {
        (self.cluster, self.pki, self.encryption) = (cluster, pki, encryption)
    }
}

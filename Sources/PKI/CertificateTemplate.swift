import Foundation
import Crypto
import SwiftASN1
import X509
import ClusterModel

/// Everything about a certificate except its keys and dates: what a profile or a cfssl CSR asks for.
public struct CertificateTemplate: Sendable, Equatable {
    public var subject: SubjectName
    public var sans: [SubjectAltName]
    public var keyUsage: KeyUsage
    public var extendedKeyUsage: [ExtendedKeyUsage.Usage]
    public var isCA: Bool
    public var maxPathLength: Int?
    public var validity: ValidityDuration

    public init(subject: SubjectName, sans: [SubjectAltName] = [], keyUsage: KeyUsage, extendedKeyUsage: [ExtendedKeyUsage.Usage] = [],
                isCA: Bool = false, maxPathLength: Int? = nil, validity: ValidityDuration) {
        self.subject = subject
        self.sans = sans
        self.keyUsage = keyUsage
        self.extendedKeyUsage = extendedKeyUsage
        self.isCA = isCA
        self.maxPathLength = maxPathLength
        self.validity = validity
    }
}

/// The CA that signs: its certificate and private key.
public struct CertificateAuthority: Sendable {
    public let certificate: Certificate
    public let key: Certificate.PrivateKey
    /// What every certificate it signs names as its authority key identifier: the CA's own subject
    /// key identifier, else one computed from its key. Worked out once, not per certificate.
    public let keyIdentifier: ArraySlice<UInt8>

    public init(certificate: Certificate, key: Certificate.PrivateKey) {
        self.certificate = certificate
        self.key = key
        self.keyIdentifier = (try? certificate.extensions.subjectKeyIdentifier)??.keyIdentifier
            ?? ArraySlice(CertificateSigner.keyIdentifier(certificate.publicKey))
    }
}

/// A signed certificate with the PEM text of it and of the request it answers.
public struct IssuedCertificate: Sendable {
    public var certificate: Certificate
    public var certificatePEM: String
    public var csrPEM: String
}

public enum CertificateSigner {
    /// cfssl's start of validity: now rounded to the minute, less five minutes for clock skew.
    public static func notBefore(now: Date) -> Date {
        let rounded = (now.timeIntervalSince1970 / 60).rounded() * 60
        return Date(timeIntervalSince1970: rounded - 300)
    }

    /// Signs `template` for `key`: by `authority`, or self-signed when it is nil.
    public static func issue(_ template: CertificateTemplate, key: Certificate.PrivateKey, authority: CertificateAuthority?, now: Date) throws -> IssuedCertificate {
        let subject = try template.subject.distinguishedName()
        let start = notBefore(now: now)
        let end = start.addingTimeInterval(template.validity.timeInterval)
        let extensions = try extensions(for: template, publicKey: key.publicKey, authority: authority)
        let certificate: Certificate
        do {
            certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: key.publicKey,
                notValidBefore: start,
                notValidAfter: end,
                issuer: authority?.certificate.subject ?? subject,
                subject: subject,
                extensions: extensions,
                issuerPrivateKey: authority?.key ?? key)
        } catch {
            throw PKIError(.signingFailed, "could not sign the certificate for \(template.subject.commonName ?? "?"): \(error)")
        }
        return IssuedCertificate(certificate: certificate, certificatePEM: try pem(certificate),
                                 csrPEM: try csrPEM(subject: subject, sans: template.sans, key: key))
    }

    static func extensions(for template: CertificateTemplate, publicKey: Certificate.PublicKey, authority: CertificateAuthority?) throws -> Certificate.Extensions {
        var extensions = Certificate.Extensions()
        try extensions.append(Certificate.Extension(template.keyUsage, critical: true))
        if !template.extendedKeyUsage.isEmpty {
            try extensions.append(Certificate.Extension(ExtendedKeyUsage(template.extendedKeyUsage), critical: false))
        }
        let constraints: BasicConstraints = template.isCA ? .isCertificateAuthority(maxPathLength: template.maxPathLength) : .notCertificateAuthority
        try extensions.append(Certificate.Extension(constraints, critical: true))
        try extensions.append(Certificate.Extension(SubjectKeyIdentifier(keyIdentifier: ArraySlice(keyIdentifier(publicKey))), critical: false))
        if let authority {
            try extensions.append(Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: authority.keyIdentifier), critical: false))
        }
        if !template.sans.isEmpty {
            try extensions.append(Certificate.Extension(SubjectAltName.goOrdered(template.sans), critical: false))
        }
        return extensions
    }

    /// RFC 5280 method 1, as Go and cfssl compute it: SHA-1 of the subjectPublicKey bits.
    public static func keyIdentifier(_ publicKey: Certificate.PublicKey) -> [UInt8] {
        let spki = Array(publicKey.subjectPublicKeyInfoBytes)
        var bits = spki[...]
        if let root = try? DER.parse(spki), case .constructed(let children) = root.content {
            var iterator = children.makeIterator()
            _ = iterator.next()
            if let keyNode = iterator.next(), let bitString = try? ASN1BitString(derEncoded: keyNode) {
                bits = bitString.bytes
            }
        }
        return Array(Insecure.SHA1.hash(data: Array(bits)))
    }

    static func csrPEM(subject: DistinguishedName, sans: [SubjectAltName], key: Certificate.PrivateKey) throws -> String {
        var attributes = CertificateSigningRequest.Attributes()
        if !sans.isEmpty {
            var extensions = Certificate.Extensions()
            try extensions.append(Certificate.Extension(SubjectAltName.goOrdered(sans), critical: false))
            attributes.insert(try CertificateSigningRequest.Attribute(ExtensionRequest(extensions: extensions)))
        }
        let csr = try CertificateSigningRequest(version: .v1, subject: subject, privateKey: key, attributes: attributes)
        var serializer = DER.Serializer()
        try serializer.serialize(csr)
        return PEM.encode(type: "CERTIFICATE REQUEST", der: serializer.serializedBytes)
    }

    public static func pem(_ certificate: Certificate) throws -> String {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return PEM.encode(type: "CERTIFICATE", der: serializer.serializedBytes)
    }

    /// Whether `certificate` carries a valid signature by `issuer` (names match and the signature verifies).
    public static func isSigned(_ certificate: Certificate, by issuer: Certificate) -> Bool {
        certificate.issuer == issuer.subject && issuer.publicKey.isValidSignature(certificate.signature, for: certificate)
    }
}

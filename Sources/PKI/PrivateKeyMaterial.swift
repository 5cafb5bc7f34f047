import Crypto
import _CryptoExtras
import SwiftASN1
import X509
import ClusterModel

/// A private key hardway made or read, with the PEM text cfssljson would write for it:
/// PKCS#1 (`RSA PRIVATE KEY`) for RSA, SEC1 (`EC PRIVATE KEY`) for ECDSA.
public struct PrivateKeyMaterial: Sendable {
    public let key: Certificate.PrivateKey
    public let pem: String

    public enum Algorithm: Sendable, Equatable, CustomStringConvertible {
        case rsa(bits: Int)
        case ecdsa(curve: Int)

        public init(_ algorithm: KeyAlgorithm) {
            switch algorithm {
            case .rsa2048: self = .rsa(bits: 2048)
            case .rsa4096: self = .rsa(bits: 4096)
            case .ecdsaP256: self = .ecdsa(curve: 256)
            }
        }

        /// "rsa-2048", "ecdsa-p256": the words of `pki.keyAlgorithm`.
        public var description: String {
            switch self {
            case .rsa(let bits): return "rsa-\(bits)"
            case .ecdsa(let curve): return "ecdsa-p\(curve)"
            }
        }

        public var isRSA: Bool { if case .rsa = self { return true } else { return false } }
    }

    public static func generate(_ algorithm: Algorithm) throws -> PrivateKeyMaterial {
        switch algorithm {
        case .rsa(let bits):
            guard [2048, 3072, 4096].contains(bits) else {
                throw PKIError(.unsupportedKey, "rsa keys of \(bits) bits are not supported", fix: "use 2048, 3072 or 4096 bits")
            }
            let key = try _RSA.Signing.PrivateKey(keySize: .init(bitCount: bits))
            return PrivateKeyMaterial(key: Certificate.PrivateKey(key), pem: key.pemRepresentation)
        case .ecdsa(256):
            // Compact representability is not needed here and would cost extra key generations.
            let key = P256.Signing.PrivateKey(compactRepresentable: false)
            return PrivateKeyMaterial(key: Certificate.PrivateKey(key),
                                      pem: try sec1PEM(raw: key.rawRepresentation, publicX963: key.publicKey.x963Representation, curve: [1, 2, 840, 10045, 3, 1, 7]))
        case .ecdsa(384):
            // Compact representability is not needed here and would cost extra key generations.
            let key = P384.Signing.PrivateKey(compactRepresentable: false)
            return PrivateKeyMaterial(key: Certificate.PrivateKey(key),
                                      pem: try sec1PEM(raw: key.rawRepresentation, publicX963: key.publicKey.x963Representation, curve: [1, 3, 132, 0, 34]))
        case .ecdsa(521):
            // Compact representability is not needed here and would cost extra key generations.
            let key = P521.Signing.PrivateKey(compactRepresentable: false)
            return PrivateKeyMaterial(key: Certificate.PrivateKey(key),
                                      pem: try sec1PEM(raw: key.rawRepresentation, publicX963: key.publicKey.x963Representation, curve: [1, 3, 132, 0, 35]))
        case .ecdsa(let curve):
            throw PKIError(.unsupportedKey, "ecdsa keys on a \(curve)-bit curve are not supported", fix: "use 256, 384 or 521")
        }
    }

    /// Reads any private key PEM that cfssl, openssl or hardway write (PKCS#1, SEC1, PKCS#8).
    public init(pem: String) throws {
        self.key = try Certificate.PrivateKey(pemEncoded: pem)
        self.pem = pem
    }

    init(key: Certificate.PrivateKey, pem: String) {
        self.key = key
        self.pem = pem
    }

    public var algorithm: Algorithm? { Self.algorithm(of: key.publicKey) }

    public static func algorithm(of publicKey: Certificate.PublicKey) -> Algorithm? {
        if let rsa = _RSA.Signing.PublicKey(publicKey) { return .rsa(bits: rsa.keySizeInBits) }
        if P256.Signing.PublicKey(publicKey) != nil { return .ecdsa(curve: 256) }
        if P384.Signing.PublicKey(publicKey) != nil { return .ecdsa(curve: 384) }
        if P521.Signing.PublicKey(publicKey) != nil { return .ecdsa(curve: 521) }
        return nil
    }

    /// SEC1 `ECPrivateKey` (RFC 5915), as cfssljson and openssl write EC keys.
    static func sec1PEM(raw: Data, publicX963: Data, curve: ASN1ObjectIdentifier) throws -> String {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(1)
            try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(raw)))
            try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { inner in
                try inner.serialize(curve)
            }
            try coder.serialize(explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific) { inner in
                try inner.serialize(ASN1BitString(bytes: ArraySlice(publicX963)))
            }
        }
        return PEM.encode(type: "EC PRIVATE KEY", der: serializer.serializedBytes)
    }
}

import struct Foundation.Data

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
            let key = try ECScalar.draw(bytes: 32, topByteMask: 0xFF) { try P256.Signing.PrivateKey(rawRepresentation: $0) }
            return PrivateKeyMaterial(key: Certificate.PrivateKey(key),
                                      pem: try sec1PEM(raw: key.rawRepresentation, publicX963: key.publicKey.x963Representation, curve: [1, 2, 840, 10045, 3, 1, 7]))
        case .ecdsa(384):
            let key = try ECScalar.draw(bytes: 48, topByteMask: 0xFF) { try P384.Signing.PrivateKey(rawRepresentation: $0) }
            return PrivateKeyMaterial(key: Certificate.PrivateKey(key),
                                      pem: try sec1PEM(raw: key.rawRepresentation, publicX963: key.publicKey.x963Representation, curve: [1, 3, 132, 0, 34]))
        case .ecdsa(521):
            // The order of P-521 has 521 bits: the first of the 66 bytes keeps only its lowest bit.
            let key = try ECScalar.draw(bytes: 66, topByteMask: 0x01) { try P521.Signing.PrivateKey(rawRepresentation: $0) }
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

/// EC private keys drawn by rejection sampling (FIPS 186-5, appendix A.2.2): a scalar of
/// the curve's size from the system's secure random source, kept only if it lies in [1, n-1] —
/// which swift-crypto's `rawRepresentation` initializer checks, computing the public point once.
///
/// Why not `P256.Signing.PrivateKey()`: swift-crypto follows every generation with BoringSSL's FIPS
/// pairwise-consistency self-test (recompute the public key, sign, verify), which makes one key
/// cost about five scalar multiplications instead of one and was the largest part of issuing an
/// ECDSA PKI. The self-test guards against a broken implementation, not a weak key; the tests
/// check drawn keys instead (ECKeyTests: range, sign and verify; PKIIssueOpenSSLTests:
/// `openssl pkey -check` on every issued key).
enum ECScalar {
    static func draw<Key>(bytes count: Int, topByteMask: UInt8, attempts: Int = 64,
                          _ make: (Data) throws -> Key) throws -> Key {
        // Same source swift-crypto uses for symmetric keys (SystemRandomNumberGenerator: getrandom(2) on Linux).
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<attempts {
            let words: [UInt64] = (0..<(count + 7) / 8).map { _ in generator.next() }
            var scalar = words.withUnsafeBytes { Data($0.prefix(count)) }
            scalar[0] &= topByteMask
            // Zero or a value of n or more is refused by the initializer: draw again.
            if let key = try? make(scalar) { return key }
        }
        throw PKIError(.unsupportedKey, "could not draw a valid ec private key in \(attempts) attempts",
                       fix: "the system's random source is failing; check getrandom(2) on this machine")
    }
}

import struct Foundation.Data

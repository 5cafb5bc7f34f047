import Testing
import Foundation
import Crypto
import X509
@testable import PKI

/// hardway draws EC private scalars itself (see `ECScalar`); these pin down what that relies on.
@Suite struct ECKeyTests {
    /// The order n of P-256, big-endian.
    static let p256Order: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
    ]

    static func minus(_ value: [UInt8], _ amount: UInt8) -> [UInt8] {
        var bytes = value
        bytes[bytes.count - 1] -= amount   // n ends in 0x51: no borrow for small amounts
        return bytes
    }

    /// Rejection sampling is only uniform if the initializer refuses 0 and everything from n up.
    @Test func theInitializerRefusesScalarsOutsideOneToNMinusOne() throws {
        let make = { (bytes: [UInt8]) in try P256.Signing.PrivateKey(rawRepresentation: Data(bytes)) }
        #expect(throws: (any Error).self) { try make([UInt8](repeating: 0, count: 32)) }
        #expect(throws: (any Error).self) { try make(Self.p256Order) }
        #expect(throws: (any Error).self) { try make([UInt8](repeating: 0xFF, count: 32)) }
        #expect(throws: (any Error).self) { try make([UInt8](repeating: 0x01, count: 31)) }
        let largest = try make(Self.minus(Self.p256Order, 1))
        #expect([UInt8](largest.rawRepresentation) == Self.minus(Self.p256Order, 1))
        var one = [UInt8](repeating: 0, count: 32)
        one[31] = 1
        // 1·G is the generator itself.
        #expect(try make(one).publicKey.x963Representation.hexString.hasPrefix("046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"))
    }

    @Test func drawingTriesAgainWhenTheScalarIsRefused() throws {
        var calls = 0
        let key = try ECScalar.draw(bytes: 32, topByteMask: 0xFF) { scalar -> Data in
            calls += 1
            #expect(scalar.count == 32)
            if calls < 4 { throw PKIError(.unsupportedKey, "out of range") }
            return scalar
        }
        #expect(calls == 4)
        #expect(key.count == 32)
    }

    @Test func drawingGivesUpWithAnErrorWhenEveryScalarIsRefused() {
        var calls = 0
        #expect(throws: PKIError.self) {
            try ECScalar.draw(bytes: 32, topByteMask: 0xFF, attempts: 5) { _ -> Data in
                calls += 1
                throw PKIError(.unsupportedKey, "out of range")
            }
        }
        #expect(calls == 5)
    }

    @Test func theMaskKeepsOnlyTheBitsOfTheOrder() throws {
        for _ in 0..<64 {
            let scalar = try ECScalar.draw(bytes: 66, topByteMask: 0x01) { $0 }
            #expect(scalar.count == 66 && scalar[0] <= 1)
        }
    }

    @Test(arguments: [256, 384, 521])
    func drawnKeysAreDistinctAndTheirPublicKeyVerifiesWhatTheySign(_ curve: Int) throws {
        var seen = Set<String>()
        for _ in 0..<16 {
            let material = try PrivateKeyMaterial.generate(.ecdsa(curve: curve))
            #expect(material.algorithm == .ecdsa(curve: curve))
            #expect(seen.insert(material.pem).inserted, "a repeated key")
            let reread = try PrivateKeyMaterial(pem: material.pem)
            #expect(reread.key.publicKey == material.key.publicKey)
            let request = try CertificateSigningRequest(version: .v1, subject: try DistinguishedName { CommonName("hardway") },
                                                        privateKey: material.key, attributes: CertificateSigningRequest.Attributes(),
                                                        signatureAlgorithm: Self.algorithm(curve))
            #expect(material.key.publicKey.isValidSignature(request.signature, for: request))
        }
    }

    static func algorithm(_ curve: Int) -> Certificate.SignatureAlgorithm {
        switch curve {
        case 256: return .ecdsaWithSHA256
        case 384: return .ecdsaWithSHA384
        default: return .ecdsaWithSHA512
        }
    }
}

extension Data {
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}

import SwiftASN1
import X509
import ClusterModel

/// One subject alternative name, as openssl prints it (`DNS:kubernetes`, `IP Address:10.32.0.1`).
public enum SubjectAltName: Sendable, Hashable, Codable, CustomStringConvertible {
    case dnsName(String)
    case ipAddress(String)
    case email(String)
    case uri(String)
    case other(String)

    /// An IPv4 address becomes an IP SAN, an `@` an email, anything else a DNS name (cfssl's rule).
    public init(host: String) {
        if IPv4Address(host) != nil {
            self = .ipAddress(host)
        } else if let v6 = Self.ipv6Bytes(host) {
            self = .ipAddress(Self.format(ip: v6))
        } else if host.contains("@") {
            self = .email(host)
        } else {
            self = .dnsName(host)
        }
    }

    init(_ name: GeneralName) {
        switch name {
        case .dnsName(let value): self = .dnsName(value)
        case .ipAddress(let octets): self = .ipAddress(Self.format(ip: Array(octets.bytes)))
        case .rfc822Name(let value): self = .email(value)
        case .uniformResourceIdentifier(let value): self = .uri(value)
        default: self = .other("\(name)")
        }
    }

    var generalName: GeneralName {
        switch self {
        case .dnsName(let value), .other(let value): return .dnsName(value)
        case .email(let value): return .rfc822Name(value)
        case .uri(let value): return .uniformResourceIdentifier(value)
        case .ipAddress(let text):
            let bytes = IPv4Address(text)?.octets ?? Self.ipv6Bytes(text) ?? []
            return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes)))
        }
    }

    /// The SAN extension in Go's order — DNS names, emails, IPs, URIs — which cfssl's output follows;
    /// the given order is kept within each kind.
    static func goOrdered(_ names: [SubjectAltName]) -> SubjectAlternativeNames {
        let ordered = names.enumerated().sorted { ($0.element.goOrder, $0.offset) < ($1.element.goOrder, $1.offset) }.map(\.element)
        return SubjectAlternativeNames(ordered.map(\.generalName))
    }

    var goOrder: Int {
        switch self {
        case .dnsName, .other: return 0
        case .email: return 1
        case .ipAddress: return 2
        case .uri: return 3
        }
    }

    public var value: String {
        switch self {
        case .dnsName(let v), .ipAddress(let v), .email(let v), .uri(let v), .other(let v): return v
        }
    }

    public var description: String {
        switch self {
        case .dnsName(let v): return "DNS:\(v)"
        case .ipAddress(let v): return "IP Address:\(v)"
        case .email(let v): return "email:\(v)"
        case .uri(let v): return "URI:\(v)"
        case .other(let v): return "othername:\(v)"
        }
    }

    /// Short form for tables: the bare value, DNS and IP alike.
    public var shortDescription: String { value.isEmpty ? "(empty)" : value }

    static func format(ip bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        if bytes.count == 16 {
            return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
        }
        return bytes.map { String($0, radix: 16) }.joined(separator: ":")
    }

    /// Full or `::`-shortened IPv6 text to 16 bytes.
    static func ipv6Bytes(_ text: String) -> [UInt8]? {
        guard text.contains(":") else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            for piece in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            all += Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }
}

import Foundation

/// An IPv4 address parsed strictly from dotted-quad text ("172.31.0.10"): no leading zeros,
/// no shorthand forms, so what a user writes is exactly what ends up in certificates and unit files.
public struct IPv4Address: Sendable, Hashable, Comparable, CodableAsText {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  part.count == 1 || part.first != "0",
                  let octet = UInt32(part), octet <= 255 else { return nil }
            value = value << 8 | octet
        }
        self.value = value
    }

    public var octets: [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    // Interpolation, not `octets` joined: a render formats this for every route of every node.
    public var description: String { "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)" }

    public var isLoopback: Bool { value >> 24 == 127 }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }

    public static let textKind = "an IPv4 address"
}

/// An IPv4 network in CIDR notation ("10.32.0.0/24"). Host bits must be zero: "10.32.0.5/24" is
/// rejected with the network it probably meant, because such a typo silently changes routes.
public struct IPv4CIDR: Sendable, Hashable, CodableAsText {
    public let network: IPv4Address
    public let prefixLength: Int

    public enum ParseError: Error, Equatable, Sendable {
        case malformed
        case hostBitsSet(suggestion: IPv4CIDR)
    }

    public init(network: IPv4Address, prefixLength: Int) {
        precondition((0...32).contains(prefixLength))
        self.prefixLength = prefixLength
        self.network = IPv4Address(network.value & Self.mask(prefixLength))
    }

    public static func parse(_ text: String) -> Result<IPv4CIDR, ParseError> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])),
              parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), !parts[1].isEmpty, parts[1].count <= 2,
              let prefix = Int(parts[1]), (0...32).contains(prefix) else { return .failure(.malformed) }
        let cidr = IPv4CIDR(network: address, prefixLength: prefix)
        guard cidr.network == address else { return .failure(.hostBitsSet(suggestion: cidr)) }
        return .success(cidr)
    }

    public init?(_ text: String) {
        guard case .success(let cidr) = Self.parse(text) else { return nil }
        self = cidr
    }

    public static func mask(_ prefix: Int) -> UInt32 { prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix) }

    public var mask: UInt32 { Self.mask(prefixLength) }
    /// Number of addresses, network and broadcast included.
    public var size: UInt64 { UInt64(1) << UInt64(32 - prefixLength) }
    public var lastAddress: IPv4Address { IPv4Address(network.value | ~mask) }

    public func contains(_ address: IPv4Address) -> Bool { address.value & mask == network.value }

    /// Whether `other` lies entirely inside this network.
    public func contains(_ other: IPv4CIDR) -> Bool {
        other.prefixLength >= prefixLength && contains(other.network)
    }

    public func overlaps(_ other: IPv4CIDR) -> Bool { contains(other.network) || other.contains(network) }

    /// The address `offset` places after the network address; nil when outside the network.
    public func address(at offset: UInt32) -> IPv4Address? {
        guard UInt64(offset) < size else { return nil }
        return IPv4Address(network.value + offset)
    }

    /// The `index`-th subnet of the given prefix length inside this network, nil past the end.
    public func subnet(prefixLength newPrefix: Int, index: Int) -> IPv4CIDR? {
        guard newPrefix >= prefixLength, newPrefix <= 32, index >= 0 else { return nil }
        let count = UInt64(1) << UInt64(newPrefix - prefixLength)
        guard UInt64(index) < count else { return nil }
        let step = UInt64(1) << UInt64(32 - newPrefix)
        return IPv4CIDR(network: IPv4Address(UInt32(UInt64(network.value) + UInt64(index) * step)), prefixLength: newPrefix)
    }

    public var description: String { "\(network)/\(prefixLength)" }

    public static let textKind = "a CIDR"
}

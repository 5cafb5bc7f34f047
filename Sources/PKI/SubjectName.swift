import SwiftASN1
import X509

/// A certificate subject the way cfssl builds it from a CSR's `names`: the same attribute order
/// as Go's x509 (C, ST, L, O, OU, CN), several values of one attribute in one RDN.
public struct SubjectName: Sendable, Hashable, Codable {
    public var country: [String] = []
    public var state: [String] = []
    public var locality: [String] = []
    public var organization: [String] = []
    public var organizationalUnit: [String] = []
    public var commonName: String?

    public init(country: [String] = [], state: [String] = [], locality: [String] = [], organization: [String] = [],
                organizationalUnit: [String] = [], commonName: String? = nil) {
        self.country = country
        self.state = state
        self.locality = locality
        self.organization = organization
        self.organizationalUnit = organizationalUnit
        self.commonName = commonName
    }

    /// Reads the attributes hardway cares about from a certificate's name.
    public init(_ name: DistinguishedName) {
        for rdn in name {
            for attribute in rdn {
                let value = String(describing: attribute.value)
                switch attribute.type {
                case .RDNAttributeType.countryName: country.append(value)
                case .RDNAttributeType.stateOrProvinceName: state.append(value)
                case .RDNAttributeType.localityName: locality.append(value)
                case .RDNAttributeType.organizationName: organization.append(value)
                case .RDNAttributeType.organizationalUnitName: organizationalUnit.append(value)
                case .RDNAttributeType.commonName: commonName = value
                default: break
                }
            }
        }
    }

    public func distinguishedName() throws -> DistinguishedName {
        var rdns: [RelativeDistinguishedName] = []
        func add(_ values: [String], _ type: ASN1ObjectIdentifier, printable: Bool = false) throws {
            guard !values.isEmpty else { return }
            let attributes = try values.map { value -> RelativeDistinguishedName.Attribute in
                if printable, Self.isPrintable(value) {
                    return try .init(type: type, printableString: value)
                }
                return .init(type: type, utf8String: value)
            }
            rdns.append(RelativeDistinguishedName(attributes))
        }
        try add(country, .RDNAttributeType.countryName, printable: true)
        try add(state, .RDNAttributeType.stateOrProvinceName)
        try add(locality, .RDNAttributeType.localityName)
        try add(organization, .RDNAttributeType.organizationName)
        try add(organizationalUnit, .RDNAttributeType.organizationalUnitName)
        if let commonName { try add([commonName], .RDNAttributeType.commonName) }
        return DistinguishedName(rdns)
    }

    static func isPrintable(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || " '()+,-./:=?".unicodeScalars.contains(scalar))
        }
    }

    /// `CN=admin, O=system:masters, OU=DEVOPS, L=England, ST=London, C=UK` (most specific first).
    public var description: String {
        var parts: [String] = []
        if let commonName { parts.append("CN=\(commonName)") }
        parts += organization.map { "O=\($0)" }
        parts += organizationalUnit.map { "OU=\($0)" }
        parts += locality.map { "L=\($0)" }
        parts += state.map { "ST=\($0)" }
        parts += country.map { "C=\($0)" }
        return parts.joined(separator: ", ")
    }
}

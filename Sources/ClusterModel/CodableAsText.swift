/// A value that is written as its text in JSON (`"10.32.0.0/24"`, `"8760h"`), the form users type
/// in cluster files, rather than as its fields; decoding parses the text as strictly as the file.
public protocol CodableAsText: LosslessStringConvertible, Codable {
    /// What a text that does not parse is not, for the decoding error: "an IPv4 address".
    static var textKind: String { get }
}

extension CodableAsText {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not \(Self.textKind): \(text)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

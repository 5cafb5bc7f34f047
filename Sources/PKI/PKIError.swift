/// The PKI module's error: a stable code, a specific lowercase message, and the next step.
public struct PKIError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case unreadableFile = "unreadable-file"
        case writeFailed = "write-failed"
        case foreignIssuer = "foreign-issuer"
        case missingCAKey = "missing-ca-key"
        case invalidCA = "invalid-ca"
        case unknownName = "unknown-name"
        case invalidRequest = "invalid-request"
        case invalidConfig = "invalid-config"
        case unknownProfile = "unknown-profile"
        case unsupportedKey = "unsupported-key"
        case signingFailed = "signing-failed"
    }

    public var code: Code
    public var message: String
    public var fix: String?

    public init(_ code: Code, _ message: String, fix: String? = nil) {
        self.code = code
        self.message = message
        self.fix = fix
    }

    public var description: String { fix.map { "\(message); \($0)" } ?? message }
}

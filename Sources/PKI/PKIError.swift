import Errors
/// The PKI module's error: a stable code, a specific lowercase message, and the next step.
public typealias PKIError = CodedError<PKIErrorCode>

/// What can go wrong in PKI, by stable name.
public enum PKIErrorCode: String, ErrorCode {
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

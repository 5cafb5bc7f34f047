import Errors
/// The PKI module's error: a stable code, a specific lowercase message, and the next step.
public typealias PKIError = CodedError<PKIErrorCode>

/// What can go wrong in PKI, by stable name.
public enum PKIErrorCode: String, ErrorCode {
    /// A file of the PKI directory cannot be read, or written.
    case unreadableFile = "unreadable-file", writeFailed = "write-failed"
    /// A certificate another CA signed; a CA without its key; a CA certificate that is not one.
    case foreignIssuer = "foreign-issuer", missingCAKey = "missing-ca-key", invalidCA = "invalid-ca"
    /// `pki issue --renew` or `pki sign` names a certificate or profile the cluster does not have.
    case unknownName = "unknown-name", unknownProfile = "unknown-profile"
    /// `pki sign`: a request, a cfssl configuration or a key it cannot use, or the signing failed.
    case invalidRequest = "invalid-request", invalidConfig = "invalid-config", unsupportedKey = "unsupported-key", signingFailed = "signing-failed"
    /// A CA rotation asked out of its order (a step before the one it needs, a second one begun).
    case rotationOrder = "rotation-order"
}

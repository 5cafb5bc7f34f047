import Foundation

/// A failure talking to AWS. A service error reads `aws: <Code>: <Message> (request <id>)`; `fix` says
/// what to change.
public struct AWSError: Error, Sendable, CustomStringConvertible {
    /// The service's error code (`AuthFailure`, `InvalidVpcID.NotFound`…); nil for local failures.
    public var code: String?
    public var message: String
    public var requestID: String?
    public var httpStatus: Int?
    public var fix: String

    public init(code: String?, message: String, requestID: String? = nil, httpStatus: Int? = nil, fix: String) {
        self.code = code
        self.message = message
        self.requestID = requestID
        self.httpStatus = httpStatus
        self.fix = fix
    }

    public var description: String {
        guard let code else { return message }
        return "aws: \(code): \(message)" + (requestID.map { " (request \($0))" } ?? "")
    }

    public static func configuration(_ message: String, fix: String) -> AWSError {
        AWSError(code: nil, message: message, fix: fix)
    }

    /// Throttling and the service's own trouble: worth another try after a pause.
    public var isRetryable: Bool {
        if let status = httpStatus, status >= 500 { return true }
        guard let code else { return false }
        return Self.retryableCodes.contains(code)
    }

    /// The resource (or the thing it names) does not exist: what delete and describe tolerate.
    public var isNotFound: Bool {
        return code?.hasSuffix("NotFound") ?? false
    }

    static let retryableCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "RequestLimitExceeded",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "RequestThrottled", "SlowDown",
        "InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable", "EC2ThrottledException",
    ]

    static let authenticationCodes: Set<String> = [
        "AuthFailure", "SignatureDoesNotMatch", "InvalidClientTokenId", "UnrecognizedClientException",
        "IncompleteSignature", "MissingAuthenticationToken", "InvalidAccessKeyId", "ExpiredToken", "RequestExpired",
    ]

    /// What to do about a service error, by its code.
    static func fix(for code: String, credentials: AWSCredentials?) -> String {
        let source = credentials.map { " (from \($0.source))" } ?? ""
        if authenticationCodes.contains(code) {
            if code == "ExpiredToken" || code == "RequestExpired" {
                return "the credentials\(source) or the clock have expired: refresh the session token, and check the system time"
            }
            return "check the access key and secret key\(source): AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or the profile in ~/.aws/credentials (AWS_PROFILE)"
        }
        switch code {
        case "UnauthorizedOperation", "AccessDenied", "AccessDeniedException":
            return "the credentials\(source) are valid but lack this permission: grant the EC2 and ElasticLoadBalancing actions to the user or role"
        case "VcpuLimitExceeded", "InstanceLimitExceeded", "VpcLimitExceeded", "AddressLimitExceeded", "TooManyLoadBalancers", "TooManyTargetGroups":
            return "a quota of the account is reached: raise it in the Service Quotas console, or delete unused resources"
        case "InvalidParameterValue", "InvalidParameterCombination", "ValidationError", "MissingParameter":
            return "a value hardway sent was refused: check the cluster file's infra section (region, instanceType, image) and the host addresses"
        case "Unsupported", "InsufficientInstanceCapacity":
            return "the instance type is not available here: choose another infra.instanceType or region"
        case "DependencyViolation", "ResourceInUse":
            return "something outside hardway still uses the resource: remove it in the console, then run the command again"
        default:
            return "see the message; run the command again once it is fixed (hardway resumes from infra-state.json)"
        }
    }
}

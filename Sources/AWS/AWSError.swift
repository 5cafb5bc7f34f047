import Foundation

/// The AWS module's error: a stable code, a specific message and the next step. A service error
/// reads `aws: <ServiceCode>: <Message> (request <id>)`, its stable code the kind of refusal.
public struct AWSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        /// No usable credentials in the environment or the shared credentials file.
        case missingCredentials = "missing-credentials"
        /// The endpoint is not a URL, does not answer (network, DNS, nothing listening), or
        /// answers with something that is not the XML of an AWS API.
        case invalidEndpoint = "invalid-endpoint", unreachable = "unreachable", unreadableAnswer = "unreadable-answer"
        /// The service does not accept the credentials (wrong key, expired token, skewed clock), or
        /// they are valid but lack the permission.
        case authentication = "authentication", accessDenied = "access-denied"
        /// A quota of the account is reached; a value hardway sent is refused; the instance type is
        /// not offered (or has no capacity) here.
        case quotaReached = "quota-reached", invalidParameter = "invalid-parameter", unavailableHere = "unavailable-here"
        /// Something still depends on the resource; the resource, or what it names, does not exist.
        case inUse = "in-use", notFound = "not-found"
        /// Throttling or the service's own trouble: worth another try.
        case serviceBusy = "service-busy"
        /// Any other refusal: `serviceCode` says which.
        case refused = "refused"
    }

    public var code: Code
    public var message: String
    /// The service's own error code (`AuthFailure`, `InvalidVpcID.NotFound`…); nil for local failures.
    public var serviceCode: String?
    public var requestID: String?
    public var httpStatus: Int?
    public var fix: String

    /// A failure found before or without an answer from the service.
    public init(_ code: Code, _ message: String, httpStatus: Int? = nil, fix: String) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.fix = fix
    }

    /// The service's refusal, its code sorted by kind.
    public init(service serviceCode: String, message: String, requestID: String? = nil, httpStatus: Int? = nil, fix: String) {
        self.init(Self.code(service: serviceCode, httpStatus: httpStatus), message, httpStatus: httpStatus, fix: fix)
        self.serviceCode = serviceCode
        self.requestID = requestID
    }

    public var description: String {
        guard let serviceCode else { return message }
        return "aws: \(serviceCode): \(message)" + (requestID.map { " (request \($0))" } ?? "")
    }

    /// Throttling and the service's own trouble: worth another try after a pause.
    public var isRetryable: Bool {
        if let status = httpStatus, status >= 500 { return true }
        guard let serviceCode else { return false }
        return Self.retryableCodes.contains(serviceCode)
    }

    /// The resource (or the thing it names) does not exist: what delete and describe tolerate.
    public var isNotFound: Bool {
        return serviceCode?.hasSuffix("NotFound") ?? false
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

    /// The kind of a service's refusal, by its code: what the fix is chosen by.
    static func code(service serviceCode: String, httpStatus: Int? = nil) -> Code {
        if authenticationCodes.contains(serviceCode) { return .authentication }
        switch serviceCode {
        case "UnauthorizedOperation", "AccessDenied", "AccessDeniedException":
            return .accessDenied
        case "VcpuLimitExceeded", "InstanceLimitExceeded", "VpcLimitExceeded", "AddressLimitExceeded", "TooManyLoadBalancers", "TooManyTargetGroups":
            return .quotaReached
        case "InvalidParameterValue", "InvalidParameterCombination", "ValidationError", "MissingParameter":
            return .invalidParameter
        case "Unsupported", "InsufficientInstanceCapacity":
            return .unavailableHere
        case "DependencyViolation", "ResourceInUse":
            return .inUse
        default:
            if serviceCode.hasSuffix("NotFound") { return .notFound }
            if retryableCodes.contains(serviceCode) || (httpStatus ?? 0) >= 500 { return .serviceBusy }
            return .refused
        }
    }

    /// What to do about a service error, by its code.
    static func fix(for serviceCode: String, credentials: AWSCredentials?) -> String {
        let source = credentials.map { " (from \($0.source))" } ?? ""
        switch code(service: serviceCode) {
        case .authentication where serviceCode == "ExpiredToken" || serviceCode == "RequestExpired":
            return "the credentials\(source) or the clock have expired: refresh the session token, and check the system time"
        case .authentication:
            return "check the access key and secret key\(source): AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or the profile in ~/.aws/credentials (AWS_PROFILE)"
        case .accessDenied:
            return "the credentials\(source) are valid but lack this permission: grant the EC2 and ElasticLoadBalancing actions to the user or role"
        case .quotaReached:
            return "a quota of the account is reached: raise it in the Service Quotas console, or delete unused resources"
        case .invalidParameter:
            return "a value hardway sent was refused: check the cluster file's infra section (region, instanceType, image) and the host addresses"
        case .unavailableHere:
            return "the instance type is not available here: choose another infra.instanceType or region"
        case .inUse:
            return "something outside hardway still uses the resource: remove it in the console, then run the command again"
        default:
            return "see the message; run the command again once it is fixed (hardway resumes from infra-state.json)"
        }
    }
}

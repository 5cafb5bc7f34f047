import AsyncHTTPClient
import Foundation
import NIOCore

/// Where the Query APIs live: AWS's regional endpoints, or one URL for every service (`--endpoint-url`,
/// an emulator or a private endpoint).
public struct AWSEndpoints: Sendable, Equatable {
    public var region: String
    public var override: String?

    public init(region: String, override: String? = nil) {
        self.region = region
        self.override = override.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    public func url(for service: AWSService) -> String {
        if let override { return override }
        switch service {
        case .iam: return "https://iam.amazonaws.com"
        default: return "https://\(service.endpointPrefix).\(region).amazonaws.com"
        }
    }

    /// IAM is global and signs in us-east-1.
    public func signingRegion(for service: AWSService) -> String {
        service == .iam && override == nil ? "us-east-1" : region
    }
}

/// The Query-protocol services hardway calls, with their API versions.
public enum AWSService: String, Sendable, CaseIterable {
    case ec2, elbv2, iam

    var endpointPrefix: String {
        switch self {
        case .ec2: return "ec2"
        case .elbv2: return "elasticloadbalancing"
        case .iam: return "iam"
        }
    }

    var signingName: String { endpointPrefix }

    var apiVersion: String {
        switch self {
        case .ec2: return "2016-11-15"
        case .elbv2: return "2015-12-01"
        case .iam: return "2010-05-08"
        }
    }
}

/// One call as made: for progress lines and for tests that count what an apply changed.
public struct AWSCall: Sendable, Equatable {
    public var service: AWSService
    public var action: String
    public var attempts: Int
}

/// The AWS Query protocol (form-encoded POST, XML answer) over AsyncHTTPClient, signed with SigV4.
/// Throttling, 5xx answers and dropped connections are tried again with exponential backoff and
/// full jitter; everything else becomes an `AWSError` at once.
public final class AWSQueryClient: Sendable {
    public let credentials: AWSCredentials
    public let endpoints: AWSEndpoints
    public let maxAttempts: Int
    private let http: HTTPClient
    private let recorder: (@Sendable (AWSCall) -> Void)?

    public init(credentials: AWSCredentials, endpoints: AWSEndpoints, maxAttempts: Int = 6,
                http: HTTPClient = AWSQueryClient.sharedHTTP, recorder: (@Sendable (AWSCall) -> Void)? = nil) {
        self.credentials = credentials
        self.endpoints = endpoints
        self.maxAttempts = maxAttempts
        self.http = http
        self.recorder = recorder
    }

    /// One HTTP client for every AWS call of the process. A connection that cannot be made fails at
    /// once (after at most 10 s) and is tried again by `call`'s own backoff, a few times: AsyncHTTPClient's
    /// default would keep reconnecting until each request's 60 s deadline.
    public static let sharedHTTP: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// Attempts for a request that never reached the service (refused, reset, timed out).
    static let transportAttempts = 3

    /// Calls `action` with `parameters` (`Name.1.Key`-style flattening is the caller's) and returns the
    /// response document's root element.
    @discardableResult
    public func call(_ service: AWSService, _ action: String, _ parameters: [(String, String)] = []) async throws -> XMLNode {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let node = try await send(service, action, parameters)
                recorder?(AWSCall(service: service, action: action, attempts: attempt))
                return node
            } catch let error as AWSError where error.isRetryable && attempt < maxAttempts {
                try await Task.sleep(nanoseconds: Self.backoff(attempt: attempt))
            } catch let error as TransportFailure {
                guard attempt < min(maxAttempts, Self.transportAttempts) else {
                    throw AWSError(.unreachable, "cannot reach \(endpoints.url(for: service)) for \(action): \(error.reason)",
                                   fix: endpoints.override == nil
                                       ? "check the network and the region (\(endpoints.region))"
                                       : "check --endpoint-url \(endpoints.override!): is the service listening there?")
                }
                try await Task.sleep(nanoseconds: Self.backoff(attempt: attempt))
            }
        }
    }

    /// Full jitter: a random pause up to 0.2 s × 2^attempt, at most 8 s.
    static func backoff(attempt: Int) -> UInt64 {
        let ceiling = min(8.0, 0.2 * pow(2.0, Double(attempt)))
        return UInt64(Double.random(in: 0.05...ceiling) * 1_000_000_000)
    }

    private struct TransportFailure: Error { var reason: String }

    private func send(_ service: AWSService, _ action: String, _ parameters: [(String, String)]) async throws -> XMLNode {
        let base = endpoints.url(for: service)
        guard let url = URL(string: base), let host = url.host else {
            throw AWSError(.invalidEndpoint, "\(base) is not a URL", fix: "pass --endpoint-url like http://127.0.0.1:5000")
        }
        let hostHeader = url.port.map { "\(host):\($0)" } ?? host
        let form = ([("Action", action), ("Version", service.apiVersion)] + parameters)
            .map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }
            .joined(separator: "&")
        let body = Array(form.utf8)
        let signer = SigV4Signer(credentials: credentials, region: endpoints.signingRegion(for: service), service: service.signingName)
        let signed = signer.sign(SigV4Request(method: "POST", path: url.path.isEmpty ? "/" : url.path, headers: [
            (name: "Host", value: hostHeader),
            (name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8"),
        ], body: body))

        var request = HTTPClientRequest(url: base + (url.path.isEmpty ? "/" : ""))
        request.method = .POST
        for header in signed.headers { request.headers.add(name: header.name, value: header.value) }
        request.headers.add(name: "User-Agent", value: "hardway")
        request.body = .bytes(ByteBuffer(bytes: body))

        let status: Int
        let bytes: [UInt8]
        let headerRequestID: String?
        do {
            let response = try await http.execute(request, timeout: .seconds(60))
            status = Int(response.status.code)
            headerRequestID = response.headers["x-amzn-requestid"].first ?? response.headers["x-amz-request-id"].first
            let buffer = try await response.body.collect(upTo: 32 << 20)
            bytes = Array(buffer.readableBytesView)
        } catch let error as HTTPClientError {
            throw TransportFailure(reason: "\(error)")
        } catch let error as IOError {
            throw TransportFailure(reason: "\(error)")
        } catch let error as ChannelError {
            throw TransportFailure(reason: "\(error)")
        }
        let document = XMLNode.parse(bytes)
        guard (200..<300).contains(status) else {
            throw Self.serviceError(document: document, status: status, body: bytes, credentials: credentials, headerRequestID: headerRequestID)
        }
        guard let document else {
            throw AWSError(.unreadableAnswer, "\(service.endpointPrefix) \(action) answered with something that is not XML",
                           httpStatus: status, fix: "check that --endpoint-url points at an AWS API")
        }
        return document
    }

    /// application/x-www-form-urlencoded: unreserved characters kept, a space as `+`, every other
    /// byte `%XX`. (Servers that check the signature against a form they re-encode themselves, as the
    /// AWS emulator does, encode it exactly so.)
    static func formEncode(_ text: String) -> String {
        text.split(separator: " ", omittingEmptySubsequences: false).map { SigV4Signer.uriEncode(String($0)) }.joined(separator: "+")
    }

    /// EC2's `<Response><Errors><Error>` and ELBv2/IAM's `<ErrorResponse><Error>`, with the request id
    /// under either spelling.
    /// The request id comes from the body, else from the x-amzn-requestid header.
    static func serviceError(document: XMLNode?, status: Int, body: [UInt8], credentials: AWSCredentials?, headerRequestID: String? = nil) -> AWSError {
        let error = document?.name == "Error" ? document : document?.all("Error").first
        let requestID = document?.string("RequestID") ?? document?.string("RequestId") ?? document?.all("RequestId").first?.value
            ?? document?.all("RequestID").first?.value ?? headerRequestID
        guard let error, let code = error.string("Code") else {
            let snippet = String(decoding: body.prefix(200), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
            let code = status == 403 ? "AccessDenied" : "HTTP\(status)"
            return AWSError(service: code, message: snippet.isEmpty ? "status \(status)" : snippet, requestID: requestID, httpStatus: status,
                            fix: AWSError.fix(for: code, credentials: credentials))
        }
        return AWSError(service: code, message: error.string("Message") ?? "", requestID: requestID, httpStatus: status,
                        fix: AWSError.fix(for: code, credentials: credentials))
    }
}

import Crypto
import Foundation

/// An HTTP request as SigV4 sees it: the path and query as written (not yet percent-encoded), the
/// headers in order (a name may repeat), and the body.
public struct SigV4Request: Sendable, Equatable {
    public var method: String
    public var path: String
    public var query: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: SigV4Request, rhs: SigV4Request) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.query == rhs.query && lhs.body == rhs.body
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`): canonical request, string to sign, signing key and
/// the Authorization header, step by step so each can be checked against AWS's published test suite.
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        (self.credentials, self.region, self.service) = (credentials, region, service)
    }

    public static let algorithm = "AWS4-HMAC-SHA256"

    /// `20150830T123600Z`: the X-Amz-Date format.
    public static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// The canonical request and the `;`-joined signed header names. Headers named in `unsigned`
    /// (lowercase) are left out, as AWS's SDKs leave out content-length.
    public func canonicalRequest(_ request: SigV4Request, unsigned: Set<String> = []) -> (text: String, signedHeaders: String) {
        var values: [String: [String]] = [:]
        for header in request.headers {
            let name = header.name.lowercased()
            guard !unsigned.contains(name) else { continue }
            values[name, default: []].append(Self.trimmed(header.value))
        }
        let names = values.keys.sorted()
        let headerLines = names.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let payloadHash = Self.hex(SHA256.hash(data: request.body))
        let text = [request.method.uppercased(), Self.canonicalPath(request.path), Self.canonicalQuery(request.query),
                    headerLines, signedHeaders, payloadHash].joined(separator: "\n")
        return (text, signedHeaders)
    }

    public func scope(date: String) -> String {
        "\(date.prefix(8))/\(region)/\(service)/aws4_request"
    }

    public func stringToSign(canonicalRequest: String, timestamp: String) -> String {
        [Self.algorithm, timestamp, scope(date: timestamp), Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))].joined(separator: "\n")
    }

    public func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    public func signature(stringToSign: String, timestamp: String) -> String {
        let key = signingKey(day: String(timestamp.prefix(8)))
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    /// The Authorization header value for a request whose headers already carry X-Amz-Date (and
    /// X-Amz-Security-Token when the credentials have a session token).
    public func authorization(for request: SigV4Request, timestamp: String, unsigned: Set<String> = []) -> String {
        let canonical = canonicalRequest(request, unsigned: unsigned)
        let toSign = stringToSign(canonicalRequest: canonical.text, timestamp: timestamp)
        let signature = signature(stringToSign: toSign, timestamp: timestamp)
        return "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope(date: timestamp)), SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
    }

    /// Adds X-Amz-Date, X-Amz-Security-Token (with a session token) and Authorization to `request`.
    public func sign(_ request: SigV4Request, date: Date = Date()) -> SigV4Request {
        var signed = request
        let stamp = Self.timestamp(date)
        signed.headers.removeAll { ["x-amz-date", "x-amz-security-token", "authorization"].contains($0.name.lowercased()) }
        signed.headers.append((name: "X-Amz-Date", value: stamp))
        if let token = credentials.sessionToken {
            signed.headers.append((name: "X-Amz-Security-Token", value: token))
        }
        signed.headers.append((name: "Authorization", value: authorization(for: signed, timestamp: stamp, unsigned: ["content-length", "user-agent"])))
        return signed
    }

    // MARK: - Canonical forms

    /// Leading and trailing spaces removed, runs of spaces made one.
    static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The path with `.` and `..` segments resolved and empty segments dropped (a trailing slash
    /// kept), each segment percent-encoded.
    static func canonicalPath(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        let trailing = path.count > 1 && path.hasSuffix("/") && !segments.isEmpty
        let encoded = segments.map { uriEncode(String($0).removingPercentEncoding ?? String($0)) }
        return "/" + encoded.joined(separator: "/") + (trailing ? "/" : "")
    }

    /// Each `name=value` decoded, encoded the SigV4 way, sorted by name and then value.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs: [(String, String)] = query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = formDecode(String(parts[0]))
            let value = parts.count > 1 ? formDecode(String(parts[1])) : ""
            return (uriEncode(name), uriEncode(value))
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    private static func formDecode(_ text: String) -> String {
        text.removingPercentEncoding ?? text
    }

    /// RFC 3986 unreserved characters kept; every other byte of the UTF-8 becomes `%XX` (uppercase).
    public static func uriEncode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}

import Foundation
import Testing
@testable import AWS

/// AWS's published Signature Version 4 test suite (Tests/AWSTests/SigV4Suite): every case's canonical
/// request, string to sign and Authorization header, from its raw request.
@Suite struct SigV4SuiteTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("SigV4Suite").path
    static let cases: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
        .filter { !$0.hasSuffix(".md") }.sorted()
    static let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                    region: "us-east-1", service: "service")
    static let timestamp = "20150830T123600Z"

    @Test func theSuiteIsThere() {
        #expect(Self.cases.count >= 25, "the suite's cases are missing from \(Self.directory)")
    }

    @Test(arguments: cases) func canonicalRequestStringToSignAndAuthorization(name: String) throws {
        let read = { (ext: String) in try String(contentsOfFile: "\(Self.directory)/\(name)/\(name).\(ext)", encoding: .utf8) }
        let request = try Self.parse(read("req"))
        let canonical = Self.signer.canonicalRequest(request)
        #expect(canonical.text == (try read("creq")))

        // The suite made this case's .sts and .authz without content-length (see SigV4Suite/README.md).
        let unsigned: Set<String> = name == "post-x-www-form-urlencoded" ? ["content-length"] : []
        let used = Self.signer.canonicalRequest(request, unsigned: unsigned)
        let stringToSign = Self.signer.stringToSign(canonicalRequest: used.text, timestamp: Self.timestamp)
        #expect(stringToSign == (try read("sts")))
        #expect(Self.signer.authorization(for: request, timestamp: Self.timestamp, unsigned: unsigned) == (try read("authz")))
    }

    @Test func signAddsTheDateTheTokenAndTheHeader() throws {
        var signer = Self.signer
        signer.credentials.sessionToken = "TOKEN"
        let date = Date(timeIntervalSince1970: 1_440_938_160) // 2015-08-30T12:36:00Z
        let signed = signer.sign(SigV4Request(method: "POST", path: "/", headers: [(name: "Host", value: "example.amazonaws.com")]), date: date)
        let names = signed.headers.map(\.name)
        #expect(names == ["Host", "X-Amz-Date", "X-Amz-Security-Token", "Authorization"])
        #expect(signed.headers[1].value == Self.timestamp)
        let authorization = signed.headers[3].value
        #expect(authorization.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,"))
        // Signing again replaces the date and signature instead of adding a second set.
        let again = signer.sign(signed, date: date.addingTimeInterval(1))
        #expect(again.headers.filter { $0.name == "Authorization" }.count == 1)
        #expect(again.headers.first { $0.name == "Authorization" }?.value != authorization)
    }

    /// `METHOD TARGET HTTP/1.1`, `Name:value` lines, a blank line, the body.
    static func parse(_ text: String) throws -> SigV4Request {
        var lines = text.components(separatedBy: "\n")
        let first = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        let method = String(first.first!)
        let target = first.dropFirst().dropLast().joined(separator: " ")
        var headers: [(name: String, value: String)] = []
        while let line = lines.first, !line.isEmpty {
            lines.removeFirst()
            let colon = try #require(line.firstIndex(of: ":"))
            headers.append((name: String(line[..<colon]), value: String(line[line.index(after: colon)...])))
        }
        let body = lines.dropFirst().joined(separator: "\n")
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return SigV4Request(method: method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : "", headers: headers, body: Array(body.utf8))
    }
}

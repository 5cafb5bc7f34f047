import Foundation
import Testing
@testable import AWS

/// The client against a real HTTP server on loopback (python3's http.server) that answers from a
/// script: trouble first, then the real answer.
@Suite(.serialized) struct RetryTests {
    /// Starts a server that answers each POST with the next (status, body) of `script`, the last one
    /// forever after; returns its URL and a way to read how many requests it saw.
    final class ScriptedServer {
        let url: String
        let directory: String
        let process = Process()

        init(_ script: [(Int, String)]) throws {
            directory = NSTemporaryDirectory() + "hardway-retry-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let answers = script.map { "(\($0.0), \"\"\"\($0.1)\"\"\")" }.joined(separator: ", ")
            let program = """
            import http.server, os, sys
            answers = [\(answers)]
            count = 0
            class Handler(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    global count
                    self.rfile.read(int(self.headers.get('Content-Length', 0)))
                    status, body = answers[min(count, len(answers) - 1)]
                    count += 1
                    with open(sys.argv[1] + '/count.tmp', 'w') as f: f.write(str(count))
                    os.rename(sys.argv[1] + '/count.tmp', sys.argv[1] + '/count')
                    self.send_response(status)
                    self.send_header('Content-Type', 'text/xml')
                    self.send_header('Content-Length', str(len(body)))
                    self.end_headers()
                    self.wfile.write(body.encode())
                def log_message(self, *args): pass
            server = http.server.HTTPServer(('127.0.0.1', 0), Handler)
            with open(sys.argv[1] + '/port.tmp', 'w') as f: f.write(str(server.server_port))
            os.rename(sys.argv[1] + '/port.tmp', sys.argv[1] + '/port')
            server.serve_forever()
            """
            try program.write(toFile: "\(directory)/server.py", atomically: true, encoding: .utf8)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "\(directory)/server.py", directory]
            try process.run()
            let deadline = Date().addingTimeInterval(20)
            var port: Int?
            while port == nil, Date() < deadline {
                port = (try? String(contentsOfFile: "\(directory)/port", encoding: .utf8)).flatMap { Int($0) }
                if port == nil { usleep(50_000) }
            }
            url = "http://127.0.0.1:\(try #require(port))"
        }

        var requests: Int { Int((try? String(contentsOfFile: "\(directory)/count", encoding: .utf8)) ?? "0") ?? 0 }

        deinit {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    static let vpcs = "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-1</vpcId></item></vpcSet></DescribeVpcsResponse>"
    static func error(_ code: String) -> String {
        "<Response><Errors><Error><Code>\(code)</Code><Message>m</Message></Error></Errors><RequestID>r</RequestID></Response>"
    }

    func client(_ server: ScriptedServer, calls: Calls) -> AWSQueryClient {
        AWSQueryClient(credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s"), endpoints: AWSEndpoints(region: "us-east-2", override: server.url),
                       maxAttempts: 4, recorder: { calls.append($0) })
    }

    final class Calls: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [AWSCall] = []
        func append(_ call: AWSCall) { lock.lock(); list.append(call); lock.unlock() }
        var all: [AWSCall] { lock.lock(); defer { lock.unlock() }; return list }
    }

    @Test func serverErrorsAndThrottlingAreTriedAgain() async throws {
        let server = try ScriptedServer([(503, "Service Unavailable"), (400, Self.error("RequestLimitExceeded")), (200, Self.vpcs)])
        let calls = Calls()
        let answer = try await client(server, calls: calls).call(.ec2, "DescribeVpcs")
        #expect(answer.list("vpcSet").first?.string("vpcId") == "vpc-1")
        #expect(server.requests == 3)
        #expect(calls.all == [AWSCall(service: .ec2, action: "DescribeVpcs", attempts: 3)])
    }

    @Test func otherErrorsFailAtOnceAndGivingUpSaysWhy() async throws {
        let refused = try ScriptedServer([(400, Self.error("InvalidParameterValue"))])
        do {
            try await client(refused, calls: Calls()).call(.ec2, "CreateVpc")
            Issue.record("a refusal must fail the call")
        } catch let error as AWSError {
            #expect(error.code == "InvalidParameterValue")
            #expect(refused.requests == 1, "a refusal is not tried again")
        }

        let busy = try ScriptedServer([(500, Self.error("InternalError"))])
        do {
            try await client(busy, calls: Calls()).call(.ec2, "DescribeVpcs")
            Issue.record("a server that always fails must fail the call")
        } catch let error as AWSError {
            #expect(error.code == "InternalError")
            #expect(busy.requests == 4, "maxAttempts tries, then the error")
        }
    }
}

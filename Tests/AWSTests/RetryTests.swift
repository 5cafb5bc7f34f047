import Foundation
import Testing
import TestSupport
@testable import AWS

/// The client against a real HTTP server on loopback that answers from a script: trouble first, then
/// the real answer.
@Suite(.serialized) struct RetryTests {
    static let vpcs = "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-1</vpcId></item></vpcSet></DescribeVpcsResponse>"
    static func error(_ code: String) -> String {
        "<Response><Errors><Error><Code>\(code)</Code><Message>m</Message></Error></Errors><RequestID>r</RequestID></Response>"
    }

    func client(_ server: ScriptedHTTPServer, calls: Calls) -> AWSQueryClient {
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
        let server = try ScriptedHTTPServer([(503, "Service Unavailable"), (400, Self.error("RequestLimitExceeded")), (200, Self.vpcs)])
        let calls = Calls()
        let answer = try await client(server, calls: calls).call(.ec2, "DescribeVpcs")
        #expect(answer.list("vpcSet").first?.string("vpcId") == "vpc-1")
        #expect(server.requests == 3)
        #expect(calls.all == [AWSCall(service: .ec2, action: "DescribeVpcs", attempts: 3)])
    }

    @Test func otherErrorsFailAtOnceAndGivingUpSaysWhy() async throws {
        let refused = try ScriptedHTTPServer([(400, Self.error("InvalidParameterValue"))])
        do {
            try await client(refused, calls: Calls()).call(.ec2, "CreateVpc")
            Issue.record("a refusal must fail the call")
        } catch let error as AWSError {
            #expect(error.serviceCode == "InvalidParameterValue")
            #expect(error.code == .invalidParameter)
            #expect(refused.requests == 1, "a refusal is not tried again")
        }

        let busy = try ScriptedHTTPServer([(500, Self.error("InternalError"))])
        do {
            try await client(busy, calls: Calls()).call(.ec2, "DescribeVpcs")
            Issue.record("a server that always fails must fail the call")
        } catch let error as AWSError {
            #expect(error.serviceCode == "InternalError")
            #expect(error.code == .serviceBusy)
            #expect(busy.requests == 4, "maxAttempts tries, then the error")
        }
    }
}

import Foundation
import Testing
@testable import AWS

@Suite struct ResponseTests {
    @Test func ec2ListsParseWhateverTheNamespace() throws {
        for namespace in ["http://ec2.amazonaws.com/doc/2016-11-15/", "urn:something-else"] {
            let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <DescribeVpcsResponse xmlns="\(namespace)"><requestId>r-1</requestId>
              <vpcSet><item><vpcId>vpc-1</vpcId><cidrBlock>172.31.0.0/16</cidrBlock>
                <tagSet><item><key>Name</key><value>ground-up</value></item></tagSet></item>
              <item><vpcId>vpc-2</vpcId></item></vpcSet></DescribeVpcsResponse>
            """
            let root = try #require(XMLNode.parse(Array(xml.utf8)))
            let vpcs = root.list("vpcSet")
            #expect(vpcs.map { $0.string("vpcId") } == ["vpc-1", "vpc-2"])
            #expect(vpcs[0].tags == ["Name": "ground-up"])
            #expect(vpcs[0].string("cidrBlock") == "172.31.0.0/16")
        }
        let prefixed = #"<a:Root xmlns:a="urn:x"><a:LoadBalancers><a:member><a:DNSName>nlb.example</a:DNSName></a:member></a:LoadBalancers></a:Root>"#
        #expect(XMLNode.parse(Array(prefixed.utf8))?.list("LoadBalancers").first?.string("DNSName") == "nlb.example")
        #expect(XMLNode.parse(Array("not xml <".utf8)) == nil)
    }

    @Test func serviceErrorsReadTheSameFromEC2AndELBv2() throws {
        let ec2 = #"<Response><Errors><Error><Code>AuthFailure</Code><Message>AWS was not able to validate the provided access credentials</Message></Error></Errors><RequestID>abc-1</RequestID></Response>"#
        let error = AWSQueryClient.serviceError(document: XMLNode.parse(Array(ec2.utf8)), status: 401, body: Array(ec2.utf8),
                                                credentials: AWSCredentials(accessKeyID: "a", secretAccessKey: "b", source: "environment"))
        #expect(error.description == "aws: AuthFailure: AWS was not able to validate the provided access credentials (request abc-1)")
        #expect(error.fix.contains("AWS_SECRET_ACCESS_KEY"))
        #expect(error.fix.contains("environment"))
        #expect(!error.isRetryable)

        let elb = #"<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r-9</RequestId></ErrorResponse>"#
        let throttled = AWSQueryClient.serviceError(document: XMLNode.parse(Array(elb.utf8)), status: 400, body: Array(elb.utf8), credentials: nil)
        #expect(throttled.description == "aws: Throttling: Rate exceeded (request r-9)")
        #expect(throttled.isRetryable)

        let gateway = AWSQueryClient.serviceError(document: nil, status: 503, body: Array("Service Unavailable".utf8), credentials: nil)
        #expect(gateway.isRetryable)
        #expect(gateway.description.contains("Service Unavailable"))

        let headerOnly = #"<ErrorResponse><Errors><Error><Code>AuthFailure</Code><Message>no</Message></Error></Errors></ErrorResponse>"#
        #expect(AWSQueryClient.serviceError(document: XMLNode.parse(Array(headerOnly.utf8)), status: 401, body: [], credentials: nil,
                                            headerRequestID: "h-7").description == "aws: AuthFailure: no (request h-7)")

        let missing = AWSError(service: "InvalidVpcID.NotFound", message: "x", fix: "")
        #expect(missing.isNotFound)
        #expect(missing.code == .notFound)
    }

    @Test func backoffGrowsAndStaysBounded() {
        for attempt in 1...10 {
            let pause = Double(AWSQueryClient.backoff(attempt: attempt)) / 1e9
            #expect(pause >= 0.05 && pause <= 8.0)
        }
        let early = (0..<200).map { _ in AWSQueryClient.backoff(attempt: 1) }.max()!
        let late = (0..<200).map { _ in AWSQueryClient.backoff(attempt: 6) }.max()!
        #expect(early <= 400_000_000)
        #expect(late > early)
    }

    @Test func endpointsPerServiceAndOverride() {
        let aws = AWSEndpoints(region: "us-east-2")
        #expect(aws.url(for: .ec2) == "https://ec2.us-east-2.amazonaws.com")
        #expect(aws.url(for: .elbv2) == "https://elasticloadbalancing.us-east-2.amazonaws.com")
        #expect(aws.signingRegion(for: .iam) == "us-east-1")
        let local = AWSEndpoints(region: "us-east-2", override: "http://127.0.0.1:5000/")
        #expect(local.url(for: .elbv2) == "http://127.0.0.1:5000")
        #expect(local.signingRegion(for: .iam) == "us-east-2")
    }
}

@Suite struct CredentialTests {
    func withFile(_ text: String, _ body: (String) throws -> Void) throws {
        let path = NSTemporaryDirectory() + "hardway-credentials-\(UUID().uuidString)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }

    @Test func environmentFirst() throws {
        let credentials = try CredentialChain.resolve(environment: ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "tok", "HOME": "/nonexistent"])
        #expect(credentials == AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "tok", source: "environment"))
        #expect(throws: AWSError.self) { try CredentialChain.resolve(environment: ["AWS_ACCESS_KEY_ID": "AKID", "HOME": "/nonexistent"]) }
    }

    @Test func profilesFromTheSharedFile() throws {
        let file = """
        # comment
        [default]
        aws_access_key_id = DEFAULTKEY
        aws_secret_access_key = defaultsecret

        [dev]
        aws_access_key_id=DEVKEY
        aws_secret_access_key=dev/secret+x
        aws_session_token = devtoken
        [empty]
        region = us-east-2
        """
        try withFile(file) { path in
            let base = ["AWS_SHARED_CREDENTIALS_FILE": path]
            #expect(try CredentialChain.resolve(environment: base).accessKeyID == "DEFAULTKEY")
            let dev = try CredentialChain.resolve(environment: base.merging(["AWS_PROFILE": "dev", "AWS_ACCESS_KEY_ID": "ignored"]) { $1 })
            #expect(dev == AWSCredentials(accessKeyID: "DEVKEY", secretAccessKey: "dev/secret+x", sessionToken: "devtoken", source: "\(path) [dev]"))
            do {
                _ = try CredentialChain.resolve(environment: base.merging(["AWS_PROFILE": "prod"]) { $1 })
                Issue.record("an unknown profile must fail")
            } catch let error as AWSError {
                #expect(error.message.contains("\"prod\""))
                #expect(error.message.contains("default, dev, empty"))
            }
            #expect(throws: AWSError.self) { try CredentialChain.resolve(environment: base.merging(["AWS_PROFILE": "empty"]) { $1 }) }
        }
        #expect(throws: AWSError.self) { try CredentialChain.resolve(environment: ["HOME": "/nonexistent"]) }
    }
}

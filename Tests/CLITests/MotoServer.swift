import AWS
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// moto, the AWS API emulator, in server mode on 127.0.0.1 with signature checking on: the first three
/// calls (unsigned) make an IAM user with an access key and an allow-all policy, and every later call
/// must be signed with that key. Its AMI list holds Ubuntu images under Canonical's owner id, plus a
/// look-alike under another owner that must never be chosen.
final class MotoServer {
    let port: Int
    let url: String
    let directory: String
    private let process: Process
    private(set) var credentials = AWSCredentials(accessKeyID: "", secretAccessKey: "")

    static let newestImage = "ami-0a1b2c3d4e5f60002"

    init() async throws {
        directory = NSTemporaryDirectory() + "hardway-moto-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let amis = """
        [
         {"ami_id": "ami-0a1b2c3d4e5f60001", "name": "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240101", "description": "Canonical, Ubuntu, 22.04 LTS", "owner_id": "099720109477", "public": true, "virtualization_type": "hvm", "architecture": "x86_64", "state": "available", "platform": null, "image_type": "machine", "hypervisor": "xen", "root_device_name": "/dev/sda1", "root_device_type": "ebs", "sriov": "simple"},
         {"ami_id": "\(Self.newestImage)", "name": "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240601", "description": "Canonical, Ubuntu, 22.04 LTS", "owner_id": "099720109477", "public": true, "virtualization_type": "hvm", "architecture": "x86_64", "state": "available", "platform": null, "image_type": "machine", "hypervisor": "xen", "root_device_name": "/dev/sda1", "root_device_type": "ebs", "sriov": "simple"},
         {"ami_id": "ami-0ffffffffffff0001", "name": "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20990101", "description": "not Canonical's", "owner_id": "111111111111", "public": true, "virtualization_type": "hvm", "architecture": "x86_64", "state": "available", "platform": null, "image_type": "machine", "hypervisor": "xen", "root_device_name": "/dev/sda1", "root_device_type": "ebs", "sriov": "simple"}
        ]
        """
        try amis.write(toFile: "\(directory)/amis.json", atomically: true, encoding: .utf8)

        port = Int.random(in: 20000...40000)
        url = "http://127.0.0.1:\(port)"
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
        var environment = ProcessInfo.processInfo.environment
        environment["MOTO_AMIS_PATH"] = "\(directory)/amis.json"
        environment["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"
        process.environment = environment
        FileManager.default.createFile(atPath: "\(directory)/moto.log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(directory)/moto.log"))
        process.standardOutput = log
        process.standardError = log
        try process.run()

        let deadline = Date().addingTimeInterval(30)
        while !Self.accepts(port: port) {
            guard process.isRunning, Date() < deadline else {
                stop()
                let text = (try? String(contentsOfFile: "\(directory)/moto.log", encoding: .utf8)) ?? ""
                throw MotoFailure(message: "moto did not start on \(url) (is moto[server] installed? .ci/run installs it): \(text.suffix(600))")
            }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        credentials = try await bootstrap()
    }

    struct MotoFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// The three unsigned calls: a user, its access key, and a policy that allows everything.
    private func bootstrap() async throws -> AWSCredentials {
        let anonymous = AWSQueryClient(credentials: AWSCredentials(accessKeyID: "AKIDBOOTSTRAP", secretAccessKey: "bootstrap"),
                                       endpoints: AWSEndpoints(region: "us-east-2", override: url), maxAttempts: 1)
        try await anonymous.call(.iam, "CreateUser", [("UserName", "hardway-test")])
        let key = try await anonymous.call(.iam, "CreateAccessKey", [("UserName", "hardway-test")])
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        try await anonymous.call(.iam, "PutUserPolicy", [("UserName", "hardway-test"), ("PolicyName", "everything"), ("PolicyDocument", policy)])
        let id = try #require(key.all("AccessKeyId").first?.value)
        let secret = try #require(key.all("SecretAccessKey").first?.value)
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, source: "moto")
    }

    /// A client signed with the test user's key, for the tests' own describe calls.
    func client(region: String = "us-east-2") -> AWSQueryClient {
        AWSQueryClient(credentials: credentials, endpoints: AWSEndpoints(region: region, override: url), maxAttempts: 2)
    }

    /// The environment `hardway infra` runs with: the test user's key and nothing from the box's
    /// own AWS configuration.
    func environment(secret: String? = nil) -> [String: String] {
        ["AWS_ACCESS_KEY_ID": credentials.accessKeyID, "AWS_SECRET_ACCESS_KEY": secret ?? credentials.secretAccessKey,
         "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
         "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"]
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

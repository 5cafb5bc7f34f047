import AWS
import Foundation
import Shell
import Infra
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `hardway infra plan|apply|destroy` against moto in server mode, signatures checked. Every claim is
/// read back with describe calls of our own.
@Suite(.serialized) struct InfraCommandTests {
    static let cluster = "ground-up"

    /// The aws example in a scratch directory.
    func workspace() throws -> String {
        let directory = try Scratch.directory()
        let text = try String(contentsOfFile: Scratch.example("aws"), encoding: .utf8)
        try Scratch.write(text, to: "\(directory)/cluster.yaml")
        return directory
    }

    func hardway(_ arguments: [String], in directory: String, moto: MotoServer, secret: String? = nil) throws -> Run {
        try Program.run(Program.hardway, arguments + ["--endpoint-url", moto.url], in: directory, environment: moto.environment(secret: secret))
    }

    @Test func applyCreatesEveryResourceAgainCreatesNothingAndDestroyLeavesNothing() async throws {
        let moto = try await MotoServer()
        let directory = try workspace()
        let aws = moto.client()

        let plan = try hardway(["infra", "plan", "-f", "cluster.yaml"], in: directory, moto: moto)
        #expect(plan.status == 0, "\(plan)")
        // 27 AWS resources, and the host keys of the 6 instances apply will read from their consoles.
        #expect(plan.stdout.contains("33 to create, 0 to change, 0 to delete, 0 kept"), "\(plan)")
        #expect(plan.stdout.contains("+ create host keys worker-2: read from its console once it runs, into ground-up/ssh/known_hosts"), "\(plan)")
        #expect(plan.stdout.contains("image \(MotoServer.newestImage)"), "the newest of Canonical's matching images: \(plan)")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/ground-up/infra-state.json"), "plan writes no state")

        // moto's consoles never show host keys (hostKeysThatNeverAppear… shows that apply names them):
        // here the AWS side alone.
        let apply = try hardway(["infra", "apply", "-f", "cluster.yaml", "--skip-host-keys"], in: directory, moto: moto)
        #expect(apply.status == 0, "\(apply)")
        #expect(!apply.stdout.contains("host keys"), "\(apply)")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/ground-up/ssh/known_hosts"), "--skip-host-keys leaves known_hosts alone")

        // The network.
        let inventory = try await Inventory.read(aws, cluster: Self.cluster)
        let vpc = try #require(inventory.vpcs.only, "\(inventory)")
        let vpcID = try #require(vpc.string("vpcId"))
        #expect(vpc.string("cidrBlock") == "172.31.0.0/16")
        for attribute in ["enableDnsSupport", "enableDnsHostnames"] {
            let answer = try await aws.call(.ec2, "DescribeVpcAttribute", [("VpcId", vpcID), ("Attribute", attribute)])
            #expect(answer.path(attribute, "value")?.value == "true", "\(attribute)")
        }
        let dhcp = try #require(inventory.dhcpOptions.only)
        #expect(vpc.string("dhcpOptionsId") == dhcp.string("dhcpOptionsId"), "the DHCP options are the VPC's")
        let dhcpValues = Dictionary(uniqueKeysWithValues: dhcp.list("dhcpConfigurationSet").map {
            ($0.string("key") ?? "", $0.list("valueSet").compactMap { $0.string("value") })
        })
        #expect(dhcpValues["domain-name"] == ["us-east-2.compute.internal"])
        #expect(dhcpValues["domain-name-servers"] == ["AmazonProvidedDNS"])
        let subnet = try #require(inventory.subnets.only)
        let subnetID = try #require(subnet.string("subnetId"))
        #expect(subnet.string("cidrBlock") == "172.31.0.0/24")
        #expect(subnet.string("vpcId") == vpcID)
        let gateway = try #require(inventory.gateways.only)
        #expect(gateway.list("attachmentSet").compactMap { $0.string("vpcId") } == [vpcID])
        let table = try #require(inventory.routeTables.only)
        #expect(table.list("associationSet").contains { $0.string("subnetId") == subnetID })
        let routes = table.list("routeSet")
        #expect(routes.contains { $0.string("destinationCidrBlock") == "0.0.0.0/0" && $0.string("gatewayId") == gateway.string("internetGatewayId") })

        // The security group: the tutorial's rules.
        let group = try #require(inventory.securityGroups.only)
        let groupID = try #require(group.string("groupId"))
        let rules = group.list("ipPermissions").flatMap { permission in
            permission.list("ipRanges").map { "\(permission.string("ipProtocol") ?? "") \(permission.string("fromPort") ?? "")-\(permission.string("toPort") ?? "") \($0.string("cidrIp") ?? "")" }
        }
        for rule in ["tcp 2379-2380 172.31.0.0/24", "tcp 30000-32767 172.31.0.0/24", "tcp 6443-6443 0.0.0.0/0", "tcp 22-22 0.0.0.0/0", "icmp -1--1 0.0.0.0/0"] {
            #expect(rules.contains(rule), "\(rule) in \(rules)")
        }

        // The key pair and its private key.
        let keyFile = "\(directory)/ssh/ground-up.id_rsa"
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try String(contentsOfFile: keyFile, encoding: .utf8).hasPrefix("-----BEGIN"))
        #expect(try await aws.call(.ec2, "DescribeKeyPairs", [("KeyName.1", "ground-up")]).list("keySet").count == 1)

        // The instances: fixed private addresses, public ones, user data, names, source/dest check off.
        let expected = ["master-0": "172.31.0.10", "master-1": "172.31.0.11", "master-2": "172.31.0.12",
                        "worker-0": "172.31.0.20", "worker-1": "172.31.0.21", "worker-2": "172.31.0.22"]
        #expect(inventory.instances.count == 6)
        var instanceOf: [String: String] = [:]
        for instance in inventory.instances {
            let host = try #require(instance.tags[InfraDesign.hostTag])
            let id = try #require(instance.string("instanceId"))
            instanceOf[host] = id
            #expect(instance.string("privateIpAddress") == expected[host], "\(host)")
            #expect(instance.string("ipAddress")?.isEmpty == false, "\(host) has a public address")
            #expect(instance.tags["Name"] == "ground-up-\(host)")
            #expect(instance.string("imageId") == MotoServer.newestImage)
            #expect(instance.string("keyName") == "ground-up")
            #expect(instance.list("networkInterfaceSet").flatMap { $0.list("groupSet") }.compactMap { $0.string("groupId") }.contains(groupID))
            let check = try await aws.call(.ec2, "DescribeInstanceAttribute", [("InstanceId", id), ("Attribute", "sourceDestCheck")])
            #expect(check.path("sourceDestCheck", "value")?.value == "false", "\(host)")
            let userData = try await aws.call(.ec2, "DescribeInstanceAttribute", [("InstanceId", id), ("Attribute", "userData")])
            let decoded = userData.path("userData", "value").flatMap { Data(base64Encoded: $0.value) }.map { String(decoding: $0, as: UTF8.self) }
            let index = host.last!
            #expect(decoded == (host.hasPrefix("worker") ? "name=\(host)|pod-cidr=172.20.\(index).0/24" : "name=\(host)"), "\(host)")
        }
        #expect(Set(instanceOf.keys) == Set(expected.keys))
        // A route per worker for its pod CIDR, to its instance.
        for index in 0..<3 {
            #expect(routes.contains { $0.string("destinationCidrBlock") == "172.20.\(index).0/24" && $0.string("instanceId") == instanceOf["worker-\(index)"] },
                    "pod route of worker-\(index)")
        }

        // The network load balancer, its target group, targets and listener.
        let balancer = try #require(inventory.loadBalancers.only)
        let balancerARN = try #require(balancer.string("LoadBalancerArn"))
        #expect(balancer.string("Type") == "network")
        #expect(balancer.string("Scheme") == "internet-facing")
        let dnsName = try #require(balancer.string("DNSName"))
        let targetGroup = try #require(inventory.targetGroups.only)
        let targetGroupARN = try #require(targetGroup.string("TargetGroupArn"))
        #expect(targetGroup.string("Protocol") == "TCP")
        #expect(targetGroup.string("Port") == "6443")
        let health = try await aws.call(.elbv2, "DescribeTargetHealth", [("TargetGroupArn", targetGroupARN)])
        #expect(Set(health.all("Target").compactMap { $0.string("Id") }) == ["172.31.0.10", "172.31.0.11", "172.31.0.12"])
        let listeners = try await aws.call(.elbv2, "DescribeListeners", [("LoadBalancerArn", balancerARN)]).all("Listeners").first?.children ?? []
        #expect(listeners.count == 1)
        #expect(listeners.first?.string("Port") == "6443")
        #expect(listeners.first?.string("Protocol") == "TCP")
        #expect(listeners.first?.all("TargetGroupArn").map(\.value) == [targetGroupARN])

        // The state, and what the rest of hardway now knows.
        let state = try #require(try InfraState.load(directory: "\(directory)/ground-up"))
        #expect(state.resources["vpc"] == vpcID)
        #expect(state.resources["instance/worker-2"] == instanceOf["worker-2"])
        #expect(state.loadBalancerDNSName == dnsName)
        #expect(state.publicAddresses.count == 6)
        let validate = try Program.hardway(["validate", "-f", "cluster.yaml"], in: directory)
        #expect(validate.stdout.contains("https://\(dnsName):6443"), "api.endpoint auto is the NLB's name: \(validate)")
        let issue = try Program.hardway(["pki", "issue", "-f", "cluster.yaml"], in: directory)
        #expect(issue.status == 0, "\(issue)")
        let sans = try Program.openssl(["x509", "-in", "ground-up/pki/kube-apiserver.pem", "-noout", "-ext", "subjectAltName"], in: directory)
        #expect(sans.stdout.contains("DNS:\(dnsName)"), "\(sans)")

        // Again: everything is found, nothing is made or changed.
        let again = try hardway(["infra", "apply", "-f", "cluster.yaml", "--output", "json", "--skip-host-keys"], in: directory, moto: moto)
        #expect(again.status == 0, "\(again)")
        let report = try JSONDecoder().decode(Report.self, from: Data(again.stdout.utf8))
        #expect(!report.changes.isEmpty)
        #expect(report.changes.filter { $0.action != "keep" }.isEmpty, "\(report.changes.filter { $0.action != "keep" })")
        let after = try await Inventory.read(aws, cluster: Self.cluster)
        #expect(after.counts == inventory.counts)

        // Destroy: nothing tagged with the cluster is left, nor the key or the state.
        let destroy = try hardway(["infra", "destroy", "-f", "cluster.yaml"], in: directory, moto: moto)
        #expect(destroy.status == 0, "\(destroy)")
        let gone = try await Inventory.read(aws, cluster: Self.cluster)
        #expect(gone.isEmpty, "\(gone)")
        #expect(!FileManager.default.fileExists(atPath: keyFile))
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/ground-up/infra-state.json"))
        let twice = try hardway(["infra", "destroy", "-f", "cluster.yaml"], in: directory, moto: moto)
        #expect(twice.status == 0, "destroy tolerates what is already gone: \(twice)")
    }

    @Test func aWrongSecretKeyIsAClearAuthenticationError() async throws {
        let moto = try await MotoServer()
        let directory = try workspace()
        let run = try hardway(["infra", "apply", "-f", "cluster.yaml"], in: directory, moto: moto, secret: "not-the-secret")
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("error: aws: AuthFailure: "), "\(run)")
        #expect(run.stderr.contains("(request "), "\(run)")
        #expect(run.stderr.contains("AWS_SECRET_ACCESS_KEY"), "the fix names the variable: \(run)")
        #expect(run.stderr.contains("environment"), "the fix names where the key came from: \(run)")
        #expect(try await Inventory.read(moto.client(), cluster: Self.cluster).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/ground-up/infra-state.json"))
    }

    @Test func aHostTakenOutOfTheFileLosesItsInstanceAndRoute() async throws {
        let moto = try await MotoServer()
        let directory = try workspace()
        #expect(try hardway(["infra", "apply", "-f", "cluster.yaml", "--skip-host-keys"], in: directory, moto: moto).status == 0)
        let file = "\(directory)/cluster.yaml"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let line = try #require(text.components(separatedBy: "\n").first { $0.contains("name: worker-2,") })
        try Scratch.write(text.replacingOccurrences(of: line + "\n", with: ""), to: file)

        let plan = try hardway(["infra", "plan", "-f", "cluster.yaml", "--skip-host-keys"], in: directory, moto: moto)
        #expect(plan.status == 0, "\(plan)")
        #expect(plan.stdout.contains("- delete instance worker-2"), "\(plan)")
        #expect(plan.stdout.contains("- delete pod route 172.20.2.0/24"), "\(plan)")
        #expect(plan.stdout.contains("0 to create, 0 to change, 2 to delete"), "\(plan)")

        let apply = try hardway(["infra", "apply", "-f", "cluster.yaml", "--skip-host-keys"], in: directory, moto: moto)
        #expect(apply.status == 0, "\(apply)")
        let inventory = try await Inventory.read(moto.client(), cluster: Self.cluster)
        #expect(Set(inventory.instances.compactMap { $0.tags[InfraDesign.hostTag] }) == ["master-0", "master-1", "master-2", "worker-0", "worker-1"])
        let routes = try #require(inventory.routeTables.only).list("routeSet").compactMap { $0.string("destinationCidrBlock") }
        #expect(!routes.contains("172.20.2.0/24"))
        #expect(routes.contains("172.20.1.0/24"))
        let state = try #require(try InfraState.load(directory: "\(directory)/ground-up"))
        #expect(state.resources["instance/worker-2"] == nil)
        #expect(state.publicAddresses["worker-2"] == nil)
    }

    @Test func anEndpointThatIsNotThereFailsQuicklyAndSaysSo() throws {
        let directory = try workspace()
        let started = Date()
        let run = try Program.run(Program.hardway, ["infra", "plan", "-f", "cluster.yaml", "--endpoint-url", "http://127.0.0.1:1"], in: directory,
                                  environment: ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_PROFILE": ""])
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("error: cannot reach http://127.0.0.1:1 for DescribeVpcs"), "\(run)")
        #expect(run.stderr.contains("--endpoint-url"), "\(run)")
        // A few quick tries, not a minute of reconnecting per request.
        #expect(Date().timeIntervalSince(started) < 120, "a hang guard, not a speed target: the old behaviour took 6 minutes")
    }

    @Test func anApplyKilledHalfWayResumesWithoutDuplicates() async throws {
        let moto = try await MotoServer()
        let directory = try workspace()
        let statePath = "\(directory)/ground-up/infra-state.json"

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Program.hardway)
        process.arguments = ["infra", "apply", "-f", "cluster.yaml", "--endpoint-url", moto.url]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(moto.environment()) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try Launch.locked { try process.run() }
        // Killed the moment the first instance is recorded: the network exists, the rest does not.
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline {
            if let text = try? String(contentsOfFile: statePath, encoding: .utf8), text.contains("instance/master-0") {
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(1000)
        }
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "apply finished before it could be killed; the test proves nothing")
        let half = try #require(try InfraState.load(directory: "\(directory)/ground-up"))
        #expect(half.resources["listener"] == nil)

        let resume = try hardway(["infra", "apply", "-f", "cluster.yaml", "--skip-host-keys"], in: directory, moto: moto)
        #expect(resume.status == 0, "\(resume)")
        #expect(resume.stdout.contains("= keep vpc"), "\(resume)")
        #expect(resume.stdout.contains("= keep instance master-0"), "\(resume)")
        let inventory = try await Inventory.read(moto.client(), cluster: Self.cluster)
        #expect(inventory.counts == ["vpc": 1, "dhcp": 1, "subnet": 1, "gateway": 1, "routeTable": 1, "securityGroup": 1,
                                     "instance": 6, "loadBalancer": 1, "targetGroup": 1], "\(inventory)")
        #expect(Set(inventory.instances.compactMap { $0.tags[InfraDesign.hostTag] }).count == 6)

        // Without its state file, destroy finds everything by the cluster's tags.
        try FileManager.default.removeItem(atPath: statePath)
        let destroy = try hardway(["infra", "destroy", "-f", "cluster.yaml"], in: directory, moto: moto)
        #expect(destroy.status == 0, "\(destroy)")
        #expect(try await Inventory.read(moto.client(), cluster: Self.cluster).isEmpty)
    }


    @Test func hostKeysThatNeverAppearNameEachInstanceAndTheFixAndKeysAlreadyThereAreNotWaitedFor() async throws {
        let moto = try await MotoServer()
        let directory = try workspace()
        let aws = moto.client()
        let knownHosts = "\(directory)/ground-up/ssh/known_hosts"

        // moto's console is a fixed kernel log without cloud-init's block: apply waits, then names every instance.
        let started = Date()
        let apply = try hardway(["infra", "apply", "-f", "cluster.yaml", "--host-key-timeout", "3"], in: directory, moto: moto)
        let waited = Date().timeIntervalSince(started)
        #expect(apply.status == 1, "\(apply)")
        #expect(waited >= 3, "apply gave up before its timeout: \(waited) s")
        #expect(apply.stderr.contains("error: the consoles of 6 instances show no ssh host keys within 3 s, so ground-up/ssh/known_hosts has none for them: "), "\(apply)")
        let inventory = try await Inventory.read(aws, cluster: Self.cluster)
        let state = try #require(try InfraState.load(directory: "\(directory)/ground-up"))
        var instanceOf: [String: String] = [:]
        for instance in inventory.instances {
            let host = try #require(instance.tags[InfraDesign.hostTag])
            let id = try #require(instance.string("instanceId"))
            instanceOf[host] = id
            let address = try #require(state.publicAddresses[host])
            #expect(apply.stderr.contains("\(host) (\(id), \(address))"), "each named with its instance and the address apply connects to: \(apply)")
        }
        #expect(instanceOf.count == 6)
        // What the console said, as GetConsoleOutput returns it (base64) and this test decodes it.
        let answer = try await aws.call(.ec2, "GetConsoleOutput", [("InstanceId", try #require(instanceOf["master-0"]))])
        let output = try #require(answer.string("output"))
        let console = String(decoding: try #require(Data(base64Encoded: output)), as: UTF8.self)
        let lastLine = try #require(console.split(separator: "\n").last).trimmingCharacters(in: .whitespaces)
        #expect(apply.stderr.contains("the console of master-0 ends: \"\(lastLine)\""), "\(apply)")
        #expect(apply.stderr.contains("aws ec2 get-console-output --instance-id \(instanceOf["master-0"]!) --latest"), "the fix: \(apply)")
        #expect(apply.stderr.contains("ssh_key_console_blacklist"), "\(apply)")
        // The wait comes last: every AWS resource exists, nothing was written to known_hosts.
        #expect(inventory.loadBalancers.count == 1 && inventory.targetGroups.count == 1, "\(inventory)")
        #expect(apply.stdout.contains("+ create listener TCP 6443"), "\(apply)")
        #expect(!FileManager.default.fileExists(atPath: knownHosts))
        #expect(state.hostKeys == nil)

        // --output json says the same, and what was done.
        let json = try hardway(["infra", "apply", "-f", "cluster.yaml", "--host-key-timeout", "0", "--output", "json"], in: directory, moto: moto)
        #expect(json.status == 1, "\(json)")
        let report = try JSONDecoder().decode(Report.self, from: Data(json.stdout.utf8))
        #expect(report.error?.message.hasPrefix("the consoles of 6 instances show no ssh host keys within 0 s") == true, "\(json)")
        #expect(report.error?.fix?.contains("get-console-output") == true, "\(json)")
        #expect(report.knownHosts?.hasSuffix("ground-up/ssh/known_hosts") == true)
        #expect(!report.changes.isEmpty && report.changes.allSatisfy { $0.action == "keep" }, "\(report.changes)")
        #expect(json.stderr.contains("error: the consoles of 6 instances"), "\(json)")

        // The fix for an image that prints no keys: put them in known_hosts by hand. worker-0's come from
        // a real cloud-init console; master-0's keys were pinned by an earlier run and its lines since
        // lost (the state keeps them). Apply then waits for nothing, with its default timeout.
        let keys = ConsoleHostKeys.parse(try String(contentsOfFile: "\(Scratch.repository)/Tests/InfraTests/Fixtures/cloud-init-keys-to-console.txt", encoding: .utf8))
        let byHand = ConsoleHostKeys.parse(try String(contentsOfFile: "\(Scratch.repository)/Tests/InfraTests/Fixtures/cloud-init-keys-to-console-again.txt", encoding: .utf8))
        #expect(keys.count == 3 && byHand.count == 3)
        let master0 = try #require(state.publicAddresses["master-0"])
        var lines = ["github.com \(byHand[1])"]
        for host in ["master-1", "master-2", "worker-0", "worker-1", "worker-2"] {
            lines.append("\(try #require(state.publicAddresses[host])) \(byHand[1])")
        }
        try FileManager.default.createDirectory(atPath: "\(directory)/ground-up/ssh", withIntermediateDirectories: true)
        try Scratch.write(lines.joined(separator: "\n") + "\n", to: knownHosts)
        var pinned = state
        pinned.hostKeys = ["master-0": PinnedHostKeys(instance: try #require(instanceOf["master-0"]), name: master0, keys: keys)]
        try pinned.save(directory: "\(directory)/ground-up")

        let resumed = Date()
        let again = try hardway(["infra", "apply", "-f", "cluster.yaml"], in: directory, moto: moto)
        #expect(again.status == 0, "\(again)")
        #expect(Date().timeIntervalSince(resumed) < 60, "nothing was waited for")
        #expect(again.stdout.contains("~ change host keys master-0 [\(instanceOf["master-0"]!)]: ecdsa-sha2-nistp256, ssh-ed25519, ssh-rsa for \(master0) written again to ground-up/ssh/known_hosts"), "\(again)")
        #expect(again.stdout.contains("= keep host keys worker-0 [\(instanceOf["worker-0"]!)]: ground-up/ssh/known_hosts already has keys for \(try #require(state.publicAddresses["worker-0"])), not read from the console"), "\(again)")
        #expect(again.stdout.contains("ssh host keys: ground-up/ssh/known_hosts (hardway apply checks them strictly)"), "\(again)")
        // OpenSSH's own lookup finds master-0's pinned keys under the address apply connects to.
        let found = try Program.run(try Program.tool("ssh-keygen"), ["-F", master0, "-f", knownHosts], in: directory)
        #expect(Set(found.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ").dropFirst().prefix(2).joined(separator: " ") }) == Set(keys),
                "\(found)")
        let mode = try FileManager.default.attributesOfItem(atPath: knownHosts)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o644)
        #expect(try String(contentsOfFile: knownHosts, encoding: .utf8).hasPrefix("github.com "), "lines of other hosts stay")

        // Destroy takes the pinned lines out with the instances; the lines someone wrote stay theirs.
        let destroy = try hardway(["infra", "destroy", "-f", "cluster.yaml"], in: directory, moto: moto)
        #expect(destroy.status == 0, "\(destroy)")
        let left = try String(contentsOfFile: knownHosts, encoding: .utf8)
        #expect(!left.contains(master0), "\(left)")
        #expect(left.split(separator: "\n").count == 6, "\(left)")
    }

    @Test func applysHelpSaysWhereHostKeysGoAndHowLongItWaits() throws {
        let directory = try Scratch.directory()
        let help = try Program.hardway(["infra", "apply", "--help"], in: directory)
        #expect(help.status == 0, "\(help)")
        let text = help.stdout.replacingOccurrences(of: "\n", with: " ")
        #expect(text.contains("writes them to <dir>/ssh/known_hosts under the address hardway apply connects to"), "\(help)")
        #expect(text.contains("--host-key-timeout <seconds>") && text.contains("--skip-host-keys"), "\(help)")
        let negative = try Program.hardway(["infra", "apply", "--host-key-timeout=-5"], in: directory)
        #expect(negative.status != 0)
        #expect(negative.stderr.contains("--host-key-timeout is seconds to wait, 0 or more"), "\(negative)")
    }

    struct Report: Decodable {
        struct Change: Decodable { var action: String; var kind: String; var name: String }
        struct Failure: Decodable { var message: String; var fix: String? }
        var changes: [Change]
        var knownHosts: String?
        var error: Failure?
    }
}

/// Everything tagged with a cluster, read with describe calls: EC2 resources by the hardway:cluster
/// tag (instances that are not terminated), and the load balancer and target group by name and tag.
struct Inventory: CustomStringConvertible {
    var vpcs: [XMLNode] = []
    var dhcpOptions: [XMLNode] = []
    var subnets: [XMLNode] = []
    var gateways: [XMLNode] = []
    var routeTables: [XMLNode] = []
    var securityGroups: [XMLNode] = []
    var instances: [XMLNode] = []
    var loadBalancers: [XMLNode] = []
    var targetGroups: [XMLNode] = []
    var keyPairs: [XMLNode] = []

    static func read(_ aws: AWSQueryClient, cluster: String) async throws -> Inventory {
        let tagged = [("Filter.1.Name", "tag:\(InfraDesign.clusterTag)"), ("Filter.1.Value.1", cluster)]
        var inventory = Inventory()
        inventory.vpcs = try await aws.call(.ec2, "DescribeVpcs", tagged).list("vpcSet")
        inventory.dhcpOptions = try await aws.call(.ec2, "DescribeDhcpOptions", tagged).list("dhcpOptionsSet")
        inventory.subnets = try await aws.call(.ec2, "DescribeSubnets", tagged).list("subnetSet")
        inventory.gateways = try await aws.call(.ec2, "DescribeInternetGateways", tagged).list("internetGatewaySet")
        inventory.routeTables = try await aws.call(.ec2, "DescribeRouteTables", tagged).list("routeTableSet")
        inventory.securityGroups = try await aws.call(.ec2, "DescribeSecurityGroups", tagged).list("securityGroupInfo")
        inventory.keyPairs = try await aws.call(.ec2, "DescribeKeyPairs", tagged).list("keySet")
        let instances = try await aws.call(.ec2, "DescribeInstances", tagged).all("instancesSet").flatMap { $0.children }
        inventory.instances = instances.filter { $0.path("instanceState", "name")?.value != "terminated" }
        let balancers = try await aws.call(.elbv2, "DescribeLoadBalancers").all("LoadBalancers").first?.children ?? []
        let groups = try await aws.call(.elbv2, "DescribeTargetGroups").all("TargetGroups").first?.children ?? []
        for (arnField, list, keep) in [("LoadBalancerArn", balancers, \Inventory.loadBalancers), ("TargetGroupArn", groups, \Inventory.targetGroups)] as [(String, [XMLNode], WritableKeyPath<Inventory, [XMLNode]>)] {
            for item in list {
                guard let arn = item.string(arnField) else { continue }
                let tags = try await aws.call(.elbv2, "DescribeTags", [("ResourceArns.member.1", arn)]).all("Tags").first?.children ?? []
                if tags.contains(where: { $0.string("Key") == InfraDesign.clusterTag && $0.string("Value") == cluster }) {
                    inventory[keyPath: keep].append(item)
                }
            }
        }
        return inventory
    }

    var counts: [String: Int] {
        ["vpc": vpcs.count, "dhcp": dhcpOptions.count, "subnet": subnets.count, "gateway": gateways.count, "routeTable": routeTables.count,
         "securityGroup": securityGroups.count, "instance": instances.count, "loadBalancer": loadBalancers.count, "targetGroup": targetGroups.count]
            .filter { $0.value > 0 }
    }

    var isEmpty: Bool { counts.isEmpty && keyPairs.isEmpty }

    var description: String { "\(counts), key pairs \(keyPairs.count)" }
}

extension Array {
    /// The one element, nil when there are none or several.
    var only: Element? { count == 1 ? first : nil }
}

import Foundation
import Testing
import ClusterModel
import Lab
import TestSupport

@Suite("lab plan: names, addresses and ssh files from the cluster file")
struct LabPlanTests {
    func cluster(_ text: String = Fixture.base) throws -> Cluster {
        let resolution = ClusterResolver.resolve(text: text)
        return try #require(resolution.cluster, "\(resolution.diagnostics)")
    }

    @Test("every machine gets a namespace, a container name and a cgroup named after the cluster and host")
    func names() throws {
        let plan = try LabPlan(cluster: cluster())
        #expect(plan.bridge == "hw-test")
        #expect(plan.subnet.description == "10.240.0.0/24")
        let master = try #require(plan.machine("master-1"))
        #expect(master.namespace == "hw-test-master-1")
        #expect(master.machineName == "test-master-1")
        #expect(master.cgroup == "hardway/test/master-1")
        #expect(master.address.description == "10.240.0.11")
        #expect(plan.machines.map(\.host) == ["lb-0", "master-0", "master-1", "master-2", "worker-0", "worker-1"])
    }

    @Test("eth0's MAC is locally administered unicast, the same every time for a host, different between hosts and clusters")
    func macAddresses() throws {
        let plan = try LabPlan(cluster: cluster())
        let macs = plan.machines.map(\.mac)
        #expect(Set(macs).count == macs.count)
        for mac in macs {
            let first = try #require(UInt8(mac.prefix(2), radix: 16))
            #expect(first & 0x01 == 0, "unicast: \(mac)")
            #expect(first & 0x02 == 0x02, "locally administered: \(mac)")
            #expect(mac.split(separator: ":").count == 6)
        }
        #expect(try LabPlan(cluster: cluster()).machines.map(\.mac) == macs)
        let other = try LabPlan(cluster: cluster(Fixture.replacing("name: test", with: "name: other")))
        #expect(Set(other.machines.map(\.mac)).isDisjoint(with: macs))
    }

    @Test("a long cluster name still fits the kernel's 15-byte interface names, bridge and veths, and stays distinct")
    func longNames() throws {
        let one = try LabPlan(cluster: cluster(Fixture.replacing("name: test", with: "name: production-east-1")))
        let two = try LabPlan(cluster: cluster(Fixture.replacing("name: test", with: "name: production-west-1")))
        for plan in [one, two] {
            #expect(plan.bridge.utf8.count <= 12)
            #expect(plan.vethName(index: 99).utf8.count <= LabPlan.maximumInterfaceName)
            #expect(plan.bridge.hasPrefix("hw-prod"))
        }
        #expect(one.bridge != two.bridge)
        #expect(try LabPlan(cluster: cluster()).vethName(index: 3) == "hw-test-3")
    }

    @Test("the box's gateway is the first address no host and no API endpoint uses")
    func gateway() throws {
        #expect(try LabPlan(cluster: cluster()).gateway.description == "10.240.0.1")
        let crowded = Fixture.replacing("- { name: lb-0, address: 10.240.0.5, roles: [loadbalancer] }",
                                        with: "- { name: lb-0, address: 10.240.0.1, roles: [loadbalancer] }\n  - { name: extra-0, address: 10.240.0.2, roles: [worker] }")
            .replacingOccurrences(of: "endpoint: 10.240.0.5", with: "endpoint: 10.240.0.3")
        #expect(try LabPlan(cluster: cluster(crowded)).gateway.description == "10.240.0.4")
    }

    @Test("a cluster without network.nodeCIDR has no bridge subnet: the error names the field and the fix")
    func needsNodeCIDR() throws {
        let text = Fixture.replacing("  nodeCIDR: 10.240.0.0/24\n", with: "")
        do {
            _ = try LabPlan(cluster: cluster(text))
            Issue.record("a plan without nodeCIDR")
        } catch let error as LabError {
            #expect(error.code == .missingNodeCIDR)
            #expect(error.message.contains("network.nodeCIDR"))
            #expect(error.fix?.contains("nodeCIDR: 10.240.0.0/24") == true)
        }
    }

    @Test("the ssh config has a block per machine with the key, the cluster's known_hosts and strict checking")
    func sshConfig() throws {
        let plan = try LabPlan(cluster: cluster())
        let text = plan.sshConfig(user: "root", port: 22, identityFile: "/x/ssh/id_ed25519", knownHosts: "/x/ssh/known_hosts")
        let blocks = text.components(separatedBy: "\nHost ").dropFirst()
        #expect(blocks.count == 6)
        let worker = try #require(blocks.first { $0.hasPrefix("worker-1\n") })
        for line in ["HostName 10.240.0.21", "User root", "Port 22", "IdentityFile /x/ssh/id_ed25519", "IdentitiesOnly yes",
                     "UserKnownHostsFile /x/ssh/known_hosts", "StrictHostKeyChecking yes"] {
            #expect(worker.contains("  \(line)\n"), "missing \(line)")
        }
        #expect(!text.contains("StrictHostKeyChecking no"))
        #expect(plan.hostsFile().contains("10.240.0.12\tmaster-2\n"))
    }

    @Test("known_hosts: a machine's new key replaces its old line (by name or address); other lines stay")
    func knownHosts() {
        let line = LabPlan.knownHostsLine(host: "master-0", address: IPv4Address("10.240.0.10")!, port: 22, publicKey: "ssh-ed25519 AAAANEW root@master-0\n")
        #expect(line == "master-0,10.240.0.10 ssh-ed25519 AAAANEW")
        let other = LabPlan.knownHostsLine(host: "master-0", address: IPv4Address("10.240.0.10")!, port: 2222, publicKey: "ssh-ed25519 K")
        #expect(other == "[master-0]:2222,[10.240.0.10]:2222 ssh-ed25519 K")
        let existing = """
        github.com ssh-ed25519 GITHUB
        master-0,10.240.0.10 ssh-ed25519 AAAAOLD
        10.240.0.10 ssh-rsa STALE
        [master-0]:2222 ssh-ed25519 PORTED

        """
        let merged = LabPlan.mergeKnownHosts(existing, removing: ["master-0", "10.240.0.10"], adding: [line])
        #expect(merged == "github.com ssh-ed25519 GITHUB\nmaster-0,10.240.0.10 ssh-ed25519 AAAANEW\n")
        #expect(LabPlan.mergeKnownHosts(merged, removing: ["master-0"], adding: []) == "github.com ssh-ed25519 GITHUB\n")
    }
}

@Suite("lab prerequisites")
struct PrerequisitesTests {
    @Test("missing programs become one apt-get line naming their Debian packages once each")
    func missing() {
        let check = Prerequisites.check(isRoot: true, has: { !["systemd-nspawn", "ssh", "ssh-keygen"].contains($0) })
        #expect(check.missing.map(\.program) == ["systemd-nspawn", "ssh", "ssh-keygen"])
        #expect(check.installCommand == "apt-get update && apt-get install -y systemd-container openssh-client")
        #expect(!check.satisfied)
    }

    @Test("a box with everything, as root, is satisfied; without root it is not, whatever it has")
    func satisfied() {
        #expect(Prerequisites.check(isRoot: true, has: { _ in true }).satisfied)
        #expect(Prerequisites.check(isRoot: true, has: { _ in true }).installCommand == nil)
        #expect(!Prerequisites.check(isRoot: false, has: { _ in true }).satisfied)
    }
}

import Testing
@testable import ClusterModel
import TestSupport

@Suite struct ResolutionTests {
    @Test func baseFixtureIsValidWithoutWarnings() throws {
        let resolution = Fixture.resolve(Fixture.base)
        #expect(resolution.diagnostics.isEmpty, "\(resolution.diagnostics)")
        #expect(resolution.cluster != nil)
    }

    @Test func derivedValues() throws {
        let cluster = try #require(Fixture.resolve(Fixture.base).cluster)
        #expect(cluster.network.apiServiceIP.description == "10.32.0.1")
        #expect(cluster.network.dnsServiceIP.description == "10.32.0.10")
        #expect(cluster.network.clusterDomain == "cluster.local")
        #expect(cluster.api.url == "https://10.240.0.5:6443")
        #expect(cluster.controllers.map(\.name) == ["master-0", "master-1", "master-2"])
        #expect(cluster.etcdMembers.map(\.name) == ["master-0", "master-1", "master-2"])
        #expect(cluster.etcdInitialCluster == "master-0=https://10.240.0.10:2380,master-1=https://10.240.0.11:2380,master-2=https://10.240.0.12:2380")
        #expect(cluster.etcdClientURLs.first == "https://10.240.0.10:2379")
        #expect(cluster.loadBalancer.host?.name == "lb-0")
        #expect(cluster.kubernetesVersion == ClusterResolver.defaultKubernetesVersion)
        #expect(cluster.pki.keyAlgorithm == .ecdsaP256)
        #expect(cluster.pki.validity.description == "8760h")
        #expect(cluster.ssh.user == "root" && cluster.ssh.port == 22)
        #expect(cluster.encryption.provider == .aescbc)
    }

    @Test func workersWithoutPodCIDRGetTheNextFreeSlash24() throws {
        // worker-1 names 10.200.0.0/24, so worker-0 (listed first) must skip it.
        let cluster = try #require(Fixture.resolve(Fixture.base).cluster)
        #expect(cluster.host(named: "worker-0")?.podCIDR?.description == "10.200.1.0/24")
        #expect(cluster.host(named: "worker-1")?.podCIDR?.description == "10.200.0.0/24")
        #expect(cluster.host(named: "master-0")?.podCIDR == nil)
    }

    @Test func dedicatedEtcdHostsAreTheDefaultMembers() throws {
        let text = Fixture.replacing("  - { name: worker-0, address: 10.240.0.20, roles: [worker] }",
                                     with: "  - { name: worker-0, address: 10.240.0.20, roles: [worker] }\n  - { name: etcd-0, address: 10.240.0.30, roles: [etcd] }")
        let resolution = Fixture.resolve(text)
        #expect(resolution.cluster?.etcdMembers.map(\.name) == ["etcd-0"])
    }

    @Test func autoEndpointResolvesFromInfra() throws {
        let text = Fixture.replacing("endpoint: 10.240.0.5", with: "endpoint: auto")
            .replacingOccurrences(of: "kind: haproxy\n  host: lb-0", with: "kind: external")
            .replacingOccurrences(of: "  - { name: lb-0, address: 10.240.0.5, roles: [loadbalancer] }\n", with: "")
            + "\ninfra: { provider: aws, region: us-east-2 }\n"
        let pending = ClusterResolver.resolve(text: text)
        #expect(pending.cluster?.api.endpoint == .auto(resolved: nil))
        #expect(pending.diagnostics.map(\.code) == ["endpoint-unknown"])
        let known = ClusterResolver.resolve(text: text, autoEndpoint: "test-0123.elb.us-east-2.amazonaws.com")
        #expect(known.cluster?.api.url == "https://test-0123.elb.us-east-2.amazonaws.com:6443")
        #expect(known.diagnostics.isEmpty)

        // What `hardway infra apply` recorded: the NLB's name, and public addresses for ssh unless a
        // host names its own sshAddress.
        let withSSH = text.replacingOccurrences(of: "address: 10.240.0.21,", with: "address: 10.240.0.21, sshAddress: bastion.example.com,")
        let provisioned = ClusterResolver.resolve(text: withSSH, provisioned: Provisioned(
            loadBalancerDNSName: "nlb.example.com", publicAddresses: ["master-0": "203.0.113.10", "worker-1": "203.0.113.21"]))
        let cluster = try #require(provisioned.cluster)
        #expect(cluster.api.endpoint.host == "nlb.example.com")
        #expect(cluster.host(named: "master-0")?.sshAddress == "203.0.113.10")
        #expect(cluster.host(named: "master-0")?.address.description == "10.240.0.10")
        #expect(cluster.host(named: "worker-1")?.sshAddress == "bastion.example.com")
        #expect(cluster.host(named: "master-1")?.sshAddress == "10.240.0.11")
    }

    @Test func everyBundledExampleValidates() throws {
        for example in ClusterExamples.all {
            let resolution = ClusterResolver.resolve(text: example.text)
            #expect(resolution.cluster != nil, "\(example.name): \(resolution.diagnostics.errors)")
        }
    }

    /// The 2-member layouts of the tutorials are flagged as not highly available; the single
    /// controller behind a load balancer too; the others are clean.
    @Test func examplesCarryTheWarningsTheirTopologyDeserves() {
        let expected: [String: [String]] = [
            "lab": [], "aws": ["endpoint-unknown"], "two-controllers": ["even-etcd-members"],
            "dedicated-etcd": ["even-etcd-members"], "single-controller": ["single-controller"],
        ]
        for example in ClusterExamples.all {
            let codes = ClusterResolver.resolve(text: example.text).diagnostics.map(\.code)
            #expect(codes == expected[example.name], "\(example.name)")
        }
    }

    @Test func embeddedExamplesMatchTheFiles() throws {
        let directory = Fixture.repository.appendingPathComponent("examples")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.map { String($0.dropLast(5)) } == ClusterExamples.all.map(\.name).sorted())
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            #expect(ClusterExamples.named(String(file.dropLast(5)))?.text == text,
                    "examples/\(file) differs from the binary's copy: run scripts/embed-examples.sh")
        }
    }

    @Test func diagnosticsCarryTheLineOfTheirField() throws {
        let text = Fixture.replacing("address: 10.240.0.21", with: "address: 10.240.0.300")
        let diagnostic = try #require(Fixture.resolve(text).diagnostics.first { $0.code == "invalid-ip" })
        #expect(diagnostic.path == "hosts[5].address")
        #expect(diagnostic.line == 23)
        #expect(diagnostic.formatted(file: "c.yaml").hasPrefix("error: c.yaml:23: hosts[5].address: \"10.240.0.300\" is not an IPv4 address; "))
    }
}

import Foundation

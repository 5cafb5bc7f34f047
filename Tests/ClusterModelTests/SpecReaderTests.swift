import Testing
import ClusterModel

/// The cluster file's reading: every field of `ClusterFileFields` reaches the spec, and a mapping's
/// known keys are the table's, in its order.
@Suite struct SpecReaderTests {
    static let everyField = """
        apiVersion: hardway/v1
        kind: Cluster
        name: every-field
        kubernetesVersion: v1.31.4
        etcdVersion: v3.5.17
        network: { nodeCIDR: 10.240.0.0/24, podCIDR: 10.200.0.0/16, serviceCIDR: 10.32.0.0/24, clusterDomain: cluster.local }
        api: { endpoint: 10.240.0.5, port: 8443, extraSANs: [k8s.example.com] }
        loadBalancer: { kind: haproxy, host: lb-0 }
        etcd: { hosts: [master-0] }
        pki:
          keyAlgorithm: ecdsa-p256
          validity: 8760h
          caValidity: 87600h
          subject: { country: NO, state: Oslo, locality: Oslo, organization: Hardway, organizationalUnit: Cluster }
        encryption: { provider: secretbox }
        ssh: { user: ubuntu, identityFile: ~/.ssh/id_ed25519, port: 2222, bastion: jump@203.0.113.1 }
        binaries: { dir: ./bin }
        addons: { dns: false }
        hosts:
          - { name: master-0, address: 10.240.0.10, roles: [controller, etcd], sshAddress: 203.0.113.10 }
          - { name: worker-0, address: 10.240.0.20, roles: [worker], podCIDR: 10.200.5.0/24 }
        infra: { provider: aws, region: us-east-2, instanceType: t3.medium, image: { owner: "123", name: "img-*" } }
        """

    @Test func everyFieldReachesTheSpec() throws {
        let parsed = ClusterFileParser.parse(Self.everyField)
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics)")
        let spec = parsed.spec
        #expect(spec.apiVersion == "hardway/v1" && spec.kind == "Cluster" && spec.name == "every-field")
        #expect(spec.kubernetesVersion == "v1.31.4" && spec.etcdVersion == "v3.5.17")
        #expect(spec.network?.nodeCIDR == "10.240.0.0/24" && spec.network?.podCIDR == "10.200.0.0/16")
        #expect(spec.network?.serviceCIDR == "10.32.0.0/24" && spec.network?.clusterDomain == "cluster.local")
        #expect(spec.api?.endpoint == "10.240.0.5" && spec.api?.port == 8443 && spec.api?.extraSANs == ["k8s.example.com"])
        #expect(spec.loadBalancer?.kind == "haproxy" && spec.loadBalancer?.host == "lb-0")
        #expect(spec.etcd?.hosts == ["master-0"])
        #expect(spec.pki?.keyAlgorithm == "ecdsa-p256" && spec.pki?.validity == "8760h" && spec.pki?.caValidity == "87600h")
        let subject = try #require(spec.pki?.subject)
        #expect(subject.country == "NO" && subject.state == "Oslo" && subject.locality == "Oslo")
        #expect(subject.organization == "Hardway" && subject.organizationalUnit == "Cluster")
        #expect(spec.encryption?.provider == "secretbox")
        #expect(spec.ssh?.user == "ubuntu" && spec.ssh?.identityFile == "~/.ssh/id_ed25519" && spec.ssh?.port == 2222)
        #expect(spec.ssh?.bastion == "jump@203.0.113.1")
        #expect(spec.binaries?.dir == "./bin" && spec.addons?.dns == false)
        let hosts = try #require(spec.hosts)
        #expect(hosts.count == 2)
        #expect(hosts[0].name == "master-0" && hosts[0].address == "10.240.0.10" && hosts[0].roles == ["controller", "etcd"])
        #expect(hosts[0].sshAddress == "203.0.113.10" && hosts[1].podCIDR == "10.200.5.0/24")
        #expect(spec.infra?.provider == "aws" && spec.infra?.region == "us-east-2" && spec.infra?.instanceType == "t3.medium")
        #expect(spec.infra?.image?.owner == "123" && spec.infra?.image?.name == "img-*")
        #expect(parsed.lines["hosts[1]"] == 21 && parsed.lines["pki.subject"] == 14 && parsed.lines["infra.image"] == 22)
    }

    @Test func anEmptySectionIsPresentAndAnEntryThatIsNoMappingKeepsItsPlace() {
        let parsed = ClusterFileParser.parse("network:\nhosts:\n  - 5\n  - { name: a }\n")
        #expect(parsed.spec.network == ClusterSpec.NetworkSpec())
        #expect(parsed.spec.hosts?.map(\.name) == [nil, "a"])
        #expect(parsed.diagnostics.map(\.path) == ["hosts[0]"] && parsed.diagnostics.first?.code == "wrong-type")
    }

    @Test func anUnknownKeyListsTheKnownOnesInTheFilesOrder() throws {
        let parsed = ClusterFileParser.parse("ssh: { usr: root }\n")
        let diagnostic = try #require(parsed.diagnostics.first)
        #expect(diagnostic.code == "unknown-key" && diagnostic.path == "ssh.usr")
        #expect(diagnostic.fix == "did you mean `user`? known fields here: user, identityFile, port, bastion")
    }
}

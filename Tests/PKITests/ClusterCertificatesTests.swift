import Testing
import X509
@testable import ClusterModel
@testable import PKI

@Suite struct ClusterCertificatesTests {
    let profiles: [CertificateProfile]

    init() throws { profiles = ClusterCertificates.profiles(for: try PKIFixture.resolve()) }

    func profile(_ name: String) throws -> CertificateProfile { try #require(profiles.first { $0.name == name }) }

    @Test func everyCertificateOfTheClusterIsInTheTable() {
        #expect(profiles.map(\.name) == [
            "ca", "front-proxy-ca", "etcd-ca", "kube-apiserver", "kube-apiserver-kubelet-client", "kube-apiserver-etcd-client",
            "etcd-server-master-0", "etcd-peer-master-0", "etcd-server-master-1", "etcd-peer-master-1", "etcd-server-master-2", "etcd-peer-master-2",
            "admin", "kubelet-worker-0", "kubelet-worker-1", "kube-proxy", "kube-controller-manager", "kube-scheduler",
            "service-account", "front-proxy-client",
        ])
    }

    @Test func apiServerCarriesEveryNameClientsUse() throws {
        let sans = try profile("kube-apiserver").sans.map(\.description)
        #expect(sans == [
            "IP Address:10.240.0.10", "DNS:master-0", "IP Address:10.240.0.11", "DNS:master-1", "IP Address:10.240.0.12", "DNS:master-2",
            "IP Address:10.240.0.5", "DNS:k8s.example.com", "IP Address:127.0.0.1", "DNS:localhost", "IP Address:10.32.0.1",
            "DNS:kubernetes", "DNS:kubernetes.default", "DNS:kubernetes.default.svc", "DNS:kubernetes.default.svc.cluster",
            "DNS:kubernetes.default.svc.cluster.local",
        ])
        #expect(try profile("kube-apiserver").subject.commonName == "kubernetes")
        #expect(try profile("kube-apiserver").role == .server)
    }

    @Test func identitiesFollowKubernetesNamingRules() throws {
        let expected: [(String, String, [String], CertificateRole)] = [
            ("admin", "admin", ["system:masters"], .client),
            ("kubelet-worker-0", "system:node:worker-0", ["system:nodes"], .peer),
            ("kube-proxy", "system:kube-proxy", ["system:node-proxier"], .client),
            ("kube-controller-manager", "system:kube-controller-manager", ["system:kube-controller-manager"], .client),
            ("kube-scheduler", "system:kube-scheduler", ["system:kube-scheduler"], .client),
            ("kube-apiserver-kubelet-client", "kube-apiserver-kubelet-client", [], .client),
            ("kube-apiserver-etcd-client", "kube-apiserver-etcd-client", [], .client),
            ("front-proxy-client", "front-proxy-client", [], .client),
        ]
        for (name, cn, o, role) in expected {
            let p = try profile(name)
            #expect(p.subject.commonName == cn, "\(name)")
            #expect(p.subject.organization == o, "\(name)")
            #expect(p.role == role, "\(name)")
            #expect(p.subject.country == ["UK"] && p.subject.organizationalUnit == ["tests"], "\(name) takes pki.subject")
        }
        #expect(try profile("front-proxy-client").issuer == "front-proxy-ca")
        #expect(try profile("admin").issuer == "ca")
        #expect(try profile("ca").issuer == nil)
        // etcd trusts only its own CA, and it signs only etcd's certificates and its one client.
        #expect(try profile("etcd-ca").issuer == nil)
        let fromEtcdCA = profiles.filter { $0.issuer == "etcd-ca" }.map(\.name)
        #expect(fromEtcdCA == ["kube-apiserver-etcd-client", "etcd-server-master-0", "etcd-peer-master-0", "etcd-server-master-1",
                               "etcd-peer-master-1", "etcd-server-master-2", "etcd-peer-master-2"])
        #expect(profiles.filter { ClusterCertificates.signedByEtcdCA($0.name) }.map(\.name) == fromEtcdCA)
    }

    @Test func nodeAndEtcdCertificatesNameTheirHost() throws {
        #expect(try profile("kubelet-worker-1").sans.map(\.description) == ["DNS:worker-1", "IP Address:10.240.0.21"])
        #expect(try profile("etcd-server-master-1").sans.map(\.description) == ["DNS:master-1", "IP Address:10.240.0.11", "IP Address:127.0.0.1"])
        #expect(try profile("etcd-peer-master-1").sans == (try profile("etcd-server-master-1")).sans)
    }

    @Test func usagesFitEachRole() {
        #expect(CertificateRole.server.extendedKeyUsage == [.serverAuth])
        #expect(CertificateRole.client.extendedKeyUsage == [.clientAuth])
        #expect(CertificateRole.peer.extendedKeyUsage == [.serverAuth, .clientAuth])
        #expect(CertificateRole.ca.keyUsage(rsa: true) == KeyUsage(keyCertSign: true, cRLSign: true))
        #expect(CertificateRole.server.keyUsage(rsa: true) == KeyUsage(digitalSignature: true, keyEncipherment: true))
        #expect(CertificateRole.server.keyUsage(rsa: false) == KeyUsage(digitalSignature: true))
    }

    @Test func validityAndAlgorithmComeFromTheClusterFile() throws {
        let cluster = try PKIFixture.resolve(PKIFixture.cluster.replacingOccurrences(of: "keyAlgorithm: ecdsa-p256", with: "keyAlgorithm: rsa-4096\n  validity: 720h\n  caValidity: 8760h"))
        let table = ClusterCertificates.profiles(for: cluster)
        #expect(table.allSatisfy { $0.keyAlgorithm == .rsa(bits: 4096) })
        #expect(table.first { $0.name == "ca" }?.validity.description == "8760h")
        #expect(table.first { $0.name == "admin" }?.validity.description == "720h")
    }

    @Test func dedicatedEtcdMembersGetTheirOwnCertificates() throws {
        let example = try #require(ClusterExamples.named("dedicated-etcd"))
        let table = ClusterCertificates.profiles(for: try PKIFixture.resolve(example.text))
        #expect(table.filter { $0.name.hasPrefix("etcd-server-") }.map(\.name) == ["etcd-server-etcd-0", "etcd-server-etcd-1"])
        let apiServer = try #require(table.first { $0.name == "kube-apiserver" })
        #expect(apiServer.sans.contains(.dnsName("k8s.example.com")) && apiServer.sans.contains(.ipAddress("203.0.113.10")))
        #expect(!apiServer.sans.contains(.dnsName("etcd-0")), "etcd hosts are not API servers")
    }
}

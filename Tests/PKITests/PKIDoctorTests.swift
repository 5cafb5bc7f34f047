import Testing
import Foundation
import X509
@testable import ClusterModel
@testable import PKI

/// Builds small PKIs with one fault each and checks that the doctor names it.
struct FaultyPKI {
    let directory: String
    let now = Date()
    let caKey: PrivateKeyMaterial
    let ca: IssuedCertificate

    init() throws {
        directory = try PKIFixture.temporaryDirectory()
        caKey = try PrivateKeyMaterial.generate(.ecdsa(curve: 256))
        ca = try CertificateSigner.issue(CertificateTemplate(subject: SubjectName(commonName: "Kubernetes"), keyUsage: KeyUsage(keyCertSign: true, cRLSign: true),
                                                             isCA: true, validity: ValidityDuration(hours: 87600)), key: caKey.key, authority: nil, now: now)
        try write("ca", ca, caKey)
    }

    var authority: CertificateAuthority { CertificateAuthority(certificate: ca.certificate, key: caKey.key) }

    func write(_ name: String, _ issued: IssuedCertificate, _ key: PrivateKeyMaterial) throws {
        try AtomicFile.write(issued.certificatePEM, to: "\(directory)/\(name).pem", mode: 0o644)
        try AtomicFile.write(key.pem, to: "\(directory)/\(name)-key.pem", mode: 0o600)
    }

    @discardableResult
    func leaf(_ name: String, cn: String, o: [String] = [], sans: [SubjectAltName] = [], role: CertificateRole = .client,
              hours: Int = 8760, issuedAt: Date? = nil, authority: CertificateAuthority? = nil) throws -> IssuedCertificate {
        let key = try PrivateKeyMaterial.generate(.ecdsa(curve: 256))
        let template = CertificateTemplate(subject: SubjectName(organization: o, commonName: cn), sans: sans, keyUsage: role.keyUsage(rsa: false),
                                           extendedKeyUsage: role.extendedKeyUsage, validity: ValidityDuration(hours: hours))
        let issued = try CertificateSigner.issue(template, key: key.key, authority: authority ?? self.authority, now: issuedAt ?? now)
        try write(name, issued, key)
        return issued
    }

    func findings(serviceIP: String? = "10.32.0.1", endpoint: String? = "10.240.0.5") throws -> [PKIFinding] {
        PKIDoctor.check(try PEMDirectory.read(directory), context: PKIDoctorContext(serviceIP: serviceIP, endpoint: endpoint, now: now))
    }
}

@Suite struct PKIDoctorTests {
    @Test func hardwaysOwnPKIIsClean() async throws {
        let cluster = try PKIFixture.resolve()
        let store = PKIStore(directory: try PKIFixture.temporaryDirectory() + "/pki")
        try await PKIFixture.issue(cluster, into: store)
        let findings = PKIDoctor.check(try PEMDirectory.read(store.directory),
                                       context: PKIDoctorContext(serviceIP: "10.32.0.1", endpoint: "10.240.0.5", managedByHardway: true, now: Date()))
        #expect(findings.isEmpty, "\(findings.map(\.line))")
    }

    /// One CA for everything (the tutorials' way): etcd trusts it for clients, so the admin's and a
    /// kubelet's certificates get into etcd. With etcd's own CA the rule is quiet.
    @Test func etcdSharingTheClusterCAIsNamed() throws {
        let shared = try FaultyPKI()
        try shared.leaf("etcd-server", cn: "master-0", sans: [.ipAddress("10.240.0.10")], role: .peer)
        try shared.leaf("admin", cn: "admin", o: ["system:masters"])
        try shared.leaf("kubelet-worker-0", cn: "system:node:worker-0", o: ["system:nodes"], sans: [.dnsName("worker-0")], role: .peer)
        let finding = try #require(try shared.findings().first { $0.code == "etcd-shared-ca" })
        #expect(finding.severity == .warning && finding.file.hasSuffix("ca.pem"))
        #expect(finding.problem.contains("etcd-server.pem") && finding.problem.contains("admin.pem") && finding.problem.contains("kubelet-worker-0.pem"))
        #expect(finding.fix.contains("--etcd-cafile"))

        let separate = try FaultyPKI()
        let etcdKey = try PrivateKeyMaterial.generate(.ecdsa(curve: 256))
        let etcdCA = try CertificateSigner.issue(CertificateTemplate(subject: SubjectName(commonName: "etcd-ca"), keyUsage: KeyUsage(keyCertSign: true, cRLSign: true),
                                                                     isCA: true, validity: ValidityDuration(hours: 87600)), key: etcdKey.key, authority: nil, now: separate.now)
        try separate.write("etcd-ca", etcdCA, etcdKey)
        let authority = CertificateAuthority(certificate: etcdCA.certificate, key: etcdKey.key)
        try separate.leaf("etcd-server", cn: "master-0", sans: [.ipAddress("10.240.0.10")], role: .peer, authority: authority)
        try separate.leaf("kube-apiserver-etcd-client", cn: "kube-apiserver-etcd-client", authority: authority)
        try separate.leaf("admin", cn: "admin", o: ["system:masters"])
        let quiet = try separate.findings()
        #expect(!quiet.contains { $0.code == "etcd-shared-ca" }, "\(quiet.map(\.line))")
    }

    /// hardway's own PKI from before etcd-ca: an error whose fix is `pki issue` then apply.
    @Test func hardwaysPKIWithoutEtcdCAIsAnError() async throws {
        let cluster = try PKIFixture.resolve()
        let store = PKIStore(directory: try PKIFixture.temporaryDirectory() + "/pki")
        try await PKIFixture.issue(cluster, into: store)
        // Sign etcd's leaves with the cluster CA, as hardway did before etcd had a CA of its own.
        let ca = store.load("ca")
        let authority = CertificateAuthority(certificate: try #require(ca.certificate), key: try #require(ca.key).key)
        for profile in ClusterCertificates.profiles(for: cluster) where ClusterCertificates.signedByEtcdCA(profile.name) {
            let key = try #require(store.load(profile.name).key)
            let issued = try CertificateSigner.issue(profile.template, key: key.key, authority: authority, now: Date())
            try AtomicFile.write(issued.certificatePEM, to: store.certificatePath(profile.name), mode: 0o644)
        }
        try FileManager.default.removeItem(atPath: store.certificatePath("etcd-ca"))
        try FileManager.default.removeItem(atPath: store.keyPath("etcd-ca"))
        let findings = PKIDoctor.check(try PEMDirectory.read(store.directory),
                                       context: PKIDoctorContext(serviceIP: "10.32.0.1", endpoint: "10.240.0.5", managedByHardway: true, now: Date()))
        let finding = try #require(findings.first { $0.code == "etcd-shared-ca" }, "\(findings.map(\.line))")
        #expect(finding.severity == .error && finding.file.hasSuffix("/ca.pem"))
        #expect(finding.fix.contains("`hardway pki issue`") && finding.fix.contains("one member at a time"))
        #expect(findings.filter { $0.severity == .error }.count == 1, "\(findings.map(\.line))")
    }

    @Test func emptySAN() throws {
        let pki = try FaultyPKI()
        try pki.leaf("etcd", cn: "kubernetes-etcd", sans: [.dnsName("master-0"), .dnsName(""), .ipAddress("10.0.0.1")], role: .peer)
        let finding = try #require(try pki.findings().first { $0.code == "empty-san" })
        #expect(finding.severity == .error && finding.file.hasSuffix("etcd.pem"))
        #expect(finding.line.hasPrefix("error: ") && finding.line.contains("DNS:"))
    }

    @Test func kubeletOrganizationAndName() throws {
        let pki = try FaultyPKI()
        try pki.leaf("worker-0", cn: "system:node:worker-0", o: ["system:node"], sans: [.dnsName("worker-0")], role: .peer)
        try pki.leaf("worker-1", cn: "worker-1", o: ["system:nodes"], sans: [.dnsName("worker-1")], role: .peer)
        try pki.leaf("worker-2", cn: "system:node:", o: ["system:nodes"], role: .peer)
        try pki.leaf("worker-3", cn: "system:node:worker-3", o: ["system:nodes"], sans: [.ipAddress("10.0.0.3")], role: .peer)
        let findings = try pki.findings()
        #expect(findings.contains { $0.code == "kubelet-organization" && $0.file.hasSuffix("worker-0.pem") && $0.fix.contains("system:nodes") })
        #expect(findings.contains { $0.code == "kubelet-common-name" && $0.file.hasSuffix("worker-1.pem") })
        #expect(findings.contains { $0.code == "kubelet-common-name" && $0.file.hasSuffix("worker-2.pem") })
        #expect(findings.contains { $0.code == "kubelet-san" && $0.severity == .warning && $0.file.hasSuffix("worker-3.pem") })
    }

    @Test func expiredAndExpiring() throws {
        let pki = try FaultyPKI()
        try pki.leaf("old", cn: "old", hours: 24, issuedAt: pki.now.addingTimeInterval(-2 * 86_400))
        try pki.leaf("soon", cn: "soon", hours: 24 * 20)
        let findings = try pki.findings()
        #expect(findings.contains { $0.code == "expired" && $0.severity == .error && $0.file.hasSuffix("old.pem") })
        #expect(findings.contains { $0.code == "expiring" && $0.severity == .warning && $0.file.hasSuffix("soon.pem") })
    }

    @Test func foreignCAAndImpostorCA() throws {
        let pki = try FaultyPKI()
        let otherKey = try PrivateKeyMaterial.generate(.ecdsa(curve: 256))
        let sameName = try CertificateSigner.issue(CertificateTemplate(subject: SubjectName(commonName: "Kubernetes"), keyUsage: KeyUsage(keyCertSign: true),
                                                                       isCA: true, validity: ValidityDuration(hours: 100)), key: otherKey.key, authority: nil, now: pki.now)
        try pki.leaf("impostor", cn: "admin", authority: CertificateAuthority(certificate: sameName.certificate, key: otherKey.key))
        let other = try CertificateSigner.issue(CertificateTemplate(subject: SubjectName(commonName: "Other CA"), keyUsage: KeyUsage(keyCertSign: true),
                                                                    isCA: true, validity: ValidityDuration(hours: 100)), key: otherKey.key, authority: nil, now: pki.now)
        try pki.leaf("stranger", cn: "admin", authority: CertificateAuthority(certificate: other.certificate, key: otherKey.key))
        let findings = try pki.findings()
        #expect(findings.contains { $0.code == "foreign-issuer" && $0.file.hasSuffix("impostor.pem") && $0.problem.contains("another key") })
        #expect(findings.contains { $0.code == "foreign-issuer" && $0.file.hasSuffix("stranger.pem") && $0.problem.contains("CN=Other CA") })
    }

    @Test func mismatchedKeyAndOpenPermissions() throws {
        let pki = try FaultyPKI()
        try pki.leaf("admin", cn: "admin")
        try AtomicFile.write(try PrivateKeyMaterial.generate(.ecdsa(curve: 256)).pem, to: "\(pki.directory)/admin-key.pem", mode: 0o644)
        let findings = try pki.findings()
        #expect(findings.contains { $0.code == "key-mismatch" && $0.file.hasSuffix("admin-key.pem") })
        #expect(findings.contains { $0.code == "key-permissions" && $0.fix.contains("chmod 600") })
    }

    @Test func caWithoutCATrue() throws {
        let pki = try FaultyPKI()
        let key = try PrivateKeyMaterial.generate(.ecdsa(curve: 256))
        let notCA = try CertificateSigner.issue(CertificateTemplate(subject: SubjectName(commonName: "Fake CA"), keyUsage: KeyUsage(digitalSignature: true),
                                                                    validity: ValidityDuration(hours: 100)), key: key.key, authority: nil, now: pki.now)
        try pki.write("fake-ca", notCA, key)
        try pki.leaf("signed-by-fake", cn: "admin", authority: CertificateAuthority(certificate: notCA.certificate, key: key.key))
        let findings = try pki.findings()
        #expect(findings.contains { $0.code == "ca-not-ca" && $0.file.hasSuffix("fake-ca.pem") })
        #expect(findings.contains { $0.code == "ca-key-usage" && $0.file.hasSuffix("fake-ca.pem") })
    }

    @Test func apiServerSANs() throws {
        let pki = try FaultyPKI()
        try pki.leaf("kubernetes", cn: "kubernetes", sans: [.dnsName("master-0"), .dnsName("kubernetes.default"), .ipAddress("10.0.0.1")], role: .server)
        let findings = try pki.findings()
        let missing = try #require(findings.first { $0.code == "apiserver-sans" })
        #expect(missing.problem.contains("kubernetes.default.svc") && !missing.problem.contains("kubernetes.default,"))
        #expect(findings.contains { $0.code == "apiserver-service-ip" && $0.problem.contains("10.32.0.1") })
        #expect(findings.contains { $0.code == "apiserver-endpoint" && $0.problem.contains("10.240.0.5") })
        #expect(findings.contains { $0.code == "apiserver-loopback" && $0.severity == .warning })
        let unchecked = try pki.findings(serviceIP: nil, endpoint: nil)
        #expect(unchecked.contains { $0.code == "apiserver-unchecked" && $0.severity == .note })
        #expect(!unchecked.contains { $0.code == "apiserver-service-ip" })
    }
}

@Suite struct CFSSLFilesTests {
    @Test func readsTheTutorialsCSRFiles() throws {
        let json = #"{"CN": "system:node:worker-0", "key": {"algo": "rsa", "size": 2048}, "hosts": ["worker-0", "10.0.0.20"],"#
            + #" "names": [{"C": "UK", "L": "England", "O": "system:nodes", "OU": "DEVOPS", "ST": "London"}]}"#
        let request = try CFSSLRequest.parse(Data(json.utf8), file: "worker-0-csr.json")
        #expect(request.subject == SubjectName(country: ["UK"], state: ["London"], locality: ["England"], organization: ["system:nodes"],
                                               organizationalUnit: ["DEVOPS"], commonName: "system:node:worker-0"))
        #expect(request.keyAlgorithm == .rsa(bits: 2048))
        #expect(request.hosts == ["worker-0", "10.0.0.20"])
        #expect(request.ignoredFields.isEmpty)
    }

    @Test func reportsWhatCfsslWouldSilentlyIgnore() throws {
        let request = try CFSSLRequest.parse(Data(#"{"CN": "kubernetes", "host": ["10.32.0.1"], "key": {"algo": "ecdsa", "size": 256}}"#.utf8), file: "x.json")
        #expect(request.ignoredFields == ["host"])
        #expect(request.hosts.isEmpty)
    }

    @Test func refusesEmptyHosts() {
        #expect(throws: PKIError.self) { try CFSSLSigner.checkedHosts(["m1", "", "10.0.0.1"], source: "--hostname") }
        #expect(throws: PKIError.self) { try CFSSLSigner.checkedHosts([" "], source: "hosts") }
        #expect((try? CFSSLSigner.checkedHosts(["m1", "10.0.0.1", "::1"], source: "hosts"))?.map(\.description)
                == ["DNS:m1", "IP Address:10.0.0.1", "IP Address:0:0:0:0:0:0:0:1"])
    }

    @Test func readsSigningConfigAndRejectsUnknownProfiles() throws {
        let json = #"{"signing": {"default": {"expiry": "8760h"}, "profiles": {"kubernetes": {"usages": ["signing", "key encipherment", "server auth", "client auth"], "expiry": "720h"}}}}"#
        let config = try CFSSLConfig.parse(Data(json.utf8), file: "ca-config.json")
        let profile = try config.profile("kubernetes", file: "ca-config.json")
        #expect(profile.expiry.description == "720h")
        let (keyUsage, extended) = CFSSLUsage.apply(profile.usages)
        #expect(keyUsage == KeyUsage(digitalSignature: true, keyEncipherment: true))
        #expect(extended == [.serverAuth, .clientAuth])
        do {
            _ = try config.profile("kubernets", file: "ca-config.json")
            Issue.record("an unknown profile must fail")
        } catch let error as PKIError {
            #expect(error.code == .unknownProfile && error.fix == "use one of: kubernetes")
        }
        #expect(throws: PKIError.self) { try CFSSLConfig.parse(Data(#"{"signing": {"default": {"usages": ["flying"]}}}"#.utf8), file: "c.json") }
    }
}

import Testing
import Foundation
import X509
@testable import ClusterModel
@testable import PKI

@Suite struct PKIIssuerTests {
    @Test func issuesEveryCertificateSignedByItsCAWithPrivateKeys() async throws {
        let cluster = try PKIFixture.resolve()
        let directory = try PKIFixture.temporaryDirectory()
        let store = PKIStore(directory: "\(directory)/pki")
        let result = try await PKIFixture.issue(cluster, into: store)
        #expect(result.failed.isEmpty)
        #expect(result.count(.issued) == 20)
        #expect(PKIFixture.mode(store.directory) == 0o700)
        let ca = try #require(store.load("ca").certificate)
        let frontProxyCA = try #require(store.load("front-proxy-ca").certificate)
        let etcdCA = try #require(store.load("etcd-ca").certificate)
        for profile in ClusterCertificates.profiles(for: cluster) {
            let material = store.load(profile.name)
            let certificate = try #require(material.certificate, "\(profile.name)")
            let key = try #require(material.key, "\(profile.name)")
            #expect(key.key.publicKey == certificate.publicKey, "\(profile.name): key matches")
            #expect(PKIFixture.mode(store.keyPath(profile.name)) == 0o600, "\(profile.name) key is 0600")
            #expect(PKIFixture.mode(store.certificatePath(profile.name)) == 0o644)
            #expect(FileManager.default.fileExists(atPath: store.csrPath(profile.name)))
            let issuer = ["front-proxy-ca": frontProxyCA, "etcd-ca": etcdCA][profile.issuer ?? "ca"] ?? ca
            #expect(CertificateSigner.isSigned(certificate, by: profile.isCA ? certificate : issuer), "\(profile.name) chains")
            #expect(PKIPlanner.differences(certificate, profile: profile, now: Date()).isEmpty, "\(profile.name) fits its profile")
            #expect(key.pem.hasPrefix("-----BEGIN EC PRIVATE KEY-----"), "cfssljson writes SEC1 EC keys")
        }
        #expect(result.backupDirectory == nil)
    }

    @Test func rsaKeysAreWrittenAsPKCS1() throws {
        let key = try PrivateKeyMaterial.generate(.rsa(bits: 2048))
        #expect(key.pem.hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))
        #expect(key.algorithm == .rsa(bits: 2048))
        let reread = try PrivateKeyMaterial(pem: key.pem)
        #expect(reread.key.publicKey == key.key.publicKey)
    }

    @Test func secondRunKeepsEveryFileByteForByte() async throws {
        let cluster = try PKIFixture.resolve()
        let store = PKIStore(directory: try PKIFixture.temporaryDirectory() + "/pki")
        try await PKIFixture.issue(cluster, into: store)
        let before = try PKIFixture.snapshot(store.directory)
        let result = try await PKIFixture.issue(cluster, into: store, now: Date().addingTimeInterval(3600))
        #expect(result.count(.kept) == 20)
        #expect(try PKIFixture.snapshot(store.directory) == before)
        #expect(!FileManager.default.fileExists(atPath: store.directory + "/replaced"))
    }

    @Test func addingAControllerReissuesTheAPIServerCertificateWithItsKey() async throws {
        let store = PKIStore(directory: try PKIFixture.temporaryDirectory() + "/pki")
        try await PKIFixture.issue(try PKIFixture.resolve(), into: store)
        let before = try PKIFixture.snapshot(store.directory)
        let grown = try PKIFixture.resolve(PKIFixture.withController("master-3", "10.240.0.13"))
        let result = try await PKIFixture.issue(grown, into: store)

        let apiServer = try #require(result.entries.first { $0.name == "kube-apiserver" })
        #expect(apiServer.outcome == .reissued)
        #expect(apiServer.reasons == ["SANs to add: 10.240.0.13, master-3"])
        #expect(result.entries.filter { $0.outcome == .issued }.map(\.name) == ["etcd-server-master-3", "etcd-peer-master-3"])
        #expect(result.count(.kept) == 19)

        let after = try PKIFixture.snapshot(store.directory)
        #expect(after["kube-apiserver-key.pem"] == before["kube-apiserver-key.pem"], "the key is kept: nothing to redistribute but the certificate")
        #expect(after["kube-apiserver.pem"] != before["kube-apiserver.pem"])
        #expect(after["admin.pem"] == before["admin.pem"])
        let backup = try #require(result.backupDirectory)
        #expect(FileManager.default.contents(atPath: "\(backup)/kube-apiserver.pem") == before["kube-apiserver.pem"], "the old certificate is kept")
        let certificate = try #require(store.load("kube-apiserver").certificate)
        #expect(PKIPlanner.sans(of: certificate).contains(.dnsName("master-3")))
    }

    @Test func certificateFromAnotherCAIsAnErrorThatNamesTheFix() async throws {
        let cluster = try PKIFixture.resolve()
        let store = PKIStore(directory: try PKIFixture.temporaryDirectory() + "/pki")
        try await PKIFixture.issue(cluster, into: store)
        // Another cluster's admin certificate copied over ours.
        let other = PKIStore(directory: try PKIFixture.temporaryDirectory() + "/pki")
        try await PKIFixture.issue(cluster, into: other)
        for path in [("admin.pem"), ("admin-key.pem")] {
            try FileManager.default.removeItem(atPath: "\(store.directory)/\(path)")
            try FileManager.default.copyItem(atPath: "\(other.directory)/\(path)", toPath: "\(store.directory)/\(path)")
        }
        let before = try PKIFixture.snapshot(store.directory)
        let result = try await PKIFixture.issue(cluster, into: store)
        let admin = try #require(result.entries.first { $0.name == "admin" })
        #expect(admin.outcome == .blocked)
        #expect(admin.error?.code == .foreignIssuer)
        #expect(admin.error?.message.contains("admin.pem was not signed by") == true)
        #expect(admin.error?.fix == "run `hardway pki issue --renew admin` to replace it with one from this CA")
        #expect(try PKIFixture.snapshot(store.directory) == before, "nothing is touched")

        let renewed = try await PKIFixture.issue(cluster, into: store, options: PKIIssueOptions(renew: ["admin"]))
        #expect(renewed.entries.first { $0.name == "admin" }?.outcome == .reissued)
        #expect(CertificateSigner.isSigned(try #require(store.load("admin").certificate), by: try #require(store.load("ca").certificate)))
    }

    @Test func missingOrMismatchedKeysAreRepaired() async throws {
        let cluster = try PKIFixture.resolve()
        let store = PKIStore(directory: try PKIFixture.temporaryDirectory() + "/pki")
        try await PKIFixture.issue(cluster, into: store)
        try FileManager.default.removeItem(atPath: store.keyPath("kube-proxy"))
        // An interrupted run: a new key written, its certificate not yet.
        try AtomicFile.write(try PrivateKeyMaterial.generate(.ecdsa(curve: 256)).pem, to: store.keyPath("kube-scheduler"), mode: 0o600)
        try FileManager.default.removeItem(atPath: store.certificatePath("admin"))

        let result = try await PKIFixture.issue(cluster, into: store)
        let byName = Dictionary(uniqueKeysWithValues: result.entries.map { ($0.name, $0) })
        #expect(byName["kube-proxy"]?.outcome == .reissued)
        #expect(byName["kube-proxy"]?.reasons.first?.hasSuffix("kube-proxy-key.pem is missing") == true)
        #expect(byName["kube-scheduler"]?.outcome == .reissued)
        #expect(byName["kube-scheduler"]?.reasons.first?.contains("is not the key of") == true)
        #expect(byName["admin"]?.outcome == .issued, "a key without its certificate gets one")
        for name in ["kube-proxy", "kube-scheduler", "admin"] {
            let material = store.load(name)
            #expect(material.key?.key.publicKey == material.certificate?.publicKey, "\(name)")
        }
        let second = try await PKIFixture.issue(cluster, into: store)
        #expect(second.count(.kept) == 20)
    }

    /// A PKI from before etcd had its own CA (no etcd-ca files): `pki issue` makes etcd-ca and
    /// moves exactly etcd's certificates and the API server's etcd client to it; the rest stays.
    @Test func aPKIWithoutEtcdCAMovesEtcdsCertificatesToIt() async throws {
        let cluster = try PKIFixture.resolve()
        let store = PKIStore(directory: try PKIFixture.temporaryDirectory() + "/pki")
        try await PKIFixture.issue(cluster, into: store)
        let adminBefore = FileManager.default.contents(atPath: store.certificatePath("admin"))
        try FileManager.default.removeItem(atPath: store.certificatePath("etcd-ca"))
        try FileManager.default.removeItem(atPath: store.keyPath("etcd-ca"))
        let result = try await PKIFixture.issue(cluster, into: store)
        let reissued = Set(result.entries.filter { $0.outcome == .reissued }.map(\.name))
        #expect(reissued == Set(ClusterCertificates.profiles(for: cluster).map(\.name).filter(ClusterCertificates.signedByEtcdCA)))
        #expect(result.entries.first { $0.name == "etcd-ca" }?.outcome == .issued)
        #expect(FileManager.default.contents(atPath: store.certificatePath("admin")) == adminBefore)
        let etcdCA = try #require(store.load("etcd-ca").certificate)
        let ca = try #require(store.load("ca").certificate)
        #expect(CertificateSigner.isSigned(try #require(store.load("etcd-peer-master-0").certificate), by: etcdCA))
        #expect(!CertificateSigner.isSigned(try #require(store.load("kubelet-worker-0").certificate), by: etcdCA))
        #expect(etcdCA.publicKey != ca.publicKey)
        #expect(result.notes.contains { $0.contains("etcd-ca.pem is new") && $0.contains("one member at a time") }, "\(result.notes)")
    }

    @Test func expiringCertificatesAreRenewed() async throws {
        let cluster = try PKIFixture.resolve()
        let store = PKIStore(directory: try PKIFixture.temporaryDirectory() + "/pki")
        let yearAgo = Date().addingTimeInterval(-345 * 86_400)
        try await PKIFixture.issue(cluster, into: store, now: yearAgo)
        let result = try await PKIFixture.issue(cluster, into: store)
        let leaves = result.entries.filter { !["ca", "front-proxy-ca", "etcd-ca"].contains($0.name) }
        #expect(leaves.allSatisfy { $0.outcome == .reissued && $0.reasons.first?.hasPrefix("expires in 1") == true }, "\(leaves.map(\.reasons))")
        #expect(result.entries.first { $0.name == "ca" }?.outcome == .kept)
    }

    @Test func theCAIsNeverReplacedWithoutNewCA() async throws {
        let store = PKIStore(directory: try PKIFixture.temporaryDirectory() + "/pki")
        try await PKIFixture.issue(try PKIFixture.resolve(), into: store)
        let caBefore = FileManager.default.contents(atPath: store.certificatePath("ca"))
        let renamed = try PKIFixture.resolve(PKIFixture.cluster.replacingOccurrences(of: "organizationalUnit: tests", with: "organizationalUnit: other"))
        let result = try await PKIFixture.issue(renamed, into: store)
        #expect(FileManager.default.contents(atPath: store.certificatePath("ca")) == caBefore)
        #expect(result.entries.first { $0.name == "ca" }?.outcome == .kept)
        #expect(result.notes.contains { $0.contains("ca.pem has subject") && $0.contains("--new-ca") })
        #expect(result.entries.first { $0.name == "admin" }?.outcome == .reissued, "leaves follow the new subject")

        let replaced = try await PKIFixture.issue(renamed, into: store, options: PKIIssueOptions(newCA: true))
        #expect(replaced.count(.reissued) == 20)
        #expect(FileManager.default.contents(atPath: store.certificatePath("ca")) != caBefore)
        let backup = try #require(replaced.backupDirectory)
        #expect(FileManager.default.contents(atPath: "\(backup)/ca.pem") == caBefore)
        #expect(PKIFixture.mode("\(backup)/ca-key.pem") == 0o600, "backed-up keys stay private")
        let ca = try #require(store.load("ca").certificate)
        #expect(CertificateSigner.isSigned(try #require(store.load("admin").certificate), by: ca))
    }

    @Test func leavesNeedingASignatureWithoutTheCAKeyAreBlocked() async throws {
        let cluster = try PKIFixture.resolve()
        let store = PKIStore(directory: try PKIFixture.temporaryDirectory() + "/pki")
        try await PKIFixture.issue(cluster, into: store)
        try FileManager.default.removeItem(atPath: store.keyPath("ca"))
        let unchanged = try await PKIFixture.issue(cluster, into: store)
        #expect(unchanged.failed.isEmpty, "nothing to sign, so a CA kept offline is fine")
        try FileManager.default.removeItem(atPath: store.certificatePath("admin"))
        let result = try await PKIFixture.issue(cluster, into: store)
        let admin = try #require(result.entries.first { $0.name == "admin" })
        #expect(admin.outcome == .blocked)
        #expect(admin.error?.code == .missingCAKey)
        #expect(admin.error?.fix?.contains("--new-ca") == true)
    }

    @Test func changingTheKeyAlgorithmRekeys() async throws {
        let store = PKIStore(directory: try PKIFixture.temporaryDirectory() + "/pki")
        try await PKIFixture.issue(try PKIFixture.resolve(), into: store)
        let rsa = try PKIFixture.resolve(PKIFixture.cluster.replacingOccurrences(of: "keyAlgorithm: ecdsa-p256", with: "keyAlgorithm: rsa-2048"))
        let result = try await PKIFixture.issue(rsa, into: store)
        #expect(result.entries.first { $0.name == "admin" }?.reasons == ["its key is ecdsa-p256, pki.keyAlgorithm asks for rsa-2048"])
        #expect(store.load("admin").key?.algorithm == .rsa(bits: 2048))
        #expect(store.load("ca").key?.algorithm == .ecdsa(curve: 256), "the CA stays: replacing it takes --new-ca")
    }

    @Test func anInterruptedRunsTemporaryFilesAreRemoved() async throws {
        let cluster = try PKIFixture.resolve()
        let store = PKIStore(directory: try PKIFixture.temporaryDirectory() + "/pki")
        try await PKIFixture.issue(cluster, into: store)
        try FileManager.default.createDirectory(atPath: store.directory + "/replaced/20260101T000000Z", withIntermediateDirectories: true)
        let leftovers = [store.directory + "/\(AtomicFile.temporaryMarker)admin.pem-1-2", store.directory + "/replaced/20260101T000000Z/\(AtomicFile.temporaryMarker)ca.pem-1-2"]
        for path in leftovers { try AtomicFile.write("partial", to: path, mode: 0o600) }
        let result = try await PKIFixture.issue(cluster, into: store)
        #expect(result.count(.kept) == 20)
        for path in leftovers { #expect(!FileManager.default.fileExists(atPath: path), "\(path) is removed") }
    }

    @Test func dryRunWritesNothing() async throws {
        let directory = try PKIFixture.temporaryDirectory() + "/pki"
        let result = try await PKIFixture.issue(try PKIFixture.resolve(), into: PKIStore(directory: directory), options: PKIIssueOptions(dryRun: true))
        #expect(result.count(.wouldIssue) == 20)
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test func renewRejectsUnknownNamesAndCAs() async throws {
        let store = PKIStore(directory: try PKIFixture.temporaryDirectory() + "/pki")
        await #expect(throws: PKIError.self) { try await PKIFixture.issue(try PKIFixture.resolve(), into: store, options: PKIIssueOptions(renew: ["admn"])) }
        do {
            try await PKIFixture.issue(try PKIFixture.resolve(), into: store, options: PKIIssueOptions(renew: ["ca"]))
            Issue.record("renewing a CA must fail")
        } catch let error as PKIError {
            #expect(error.fix?.contains("--new-ca") == true)
        }
    }

    @Test func openKeyPermissionsAreTightened() async throws {
        let cluster = try PKIFixture.resolve()
        let store = PKIStore(directory: try PKIFixture.temporaryDirectory() + "/pki")
        try await PKIFixture.issue(cluster, into: store)
        chmod(store.keyPath("admin"), 0o644)
        chmod(store.directory, 0o755)
        let result = try await PKIFixture.issue(cluster, into: store)
        #expect(PKIFixture.mode(store.keyPath("admin")) == 0o600)
        #expect(PKIFixture.mode(store.directory) == 0o700)
        #expect(result.notes.contains { $0.contains("admin-key.pem was readable by others") })
    }
}

@Suite struct UTCTimeTests {
    @Test func formatsInUTC() {
        #expect(UTCTime.stamp(Date(timeIntervalSince1970: 1_795_242_728)) == "20261121T063208Z")
        #expect(UTCTime.stamp(Date(timeIntervalSince1970: 0)) == "19700101T000000Z")
        #expect(UTCTime.day(Date(timeIntervalSince1970: 1_795_242_728)) == "2026-11-21")
        #expect(UTCTime.day(Date(timeIntervalSince1970: 1_830_297_599)) == "2027-12-31")
    }
}

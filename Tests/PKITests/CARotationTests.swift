import Foundation
import Testing
import X509
import TestSupport
@testable import ClusterModel
@testable import PKI

/// The PKI's side of a CA rotation: the new CA beside the old, then in its place, then alone; each
/// step refused out of its order.
@Suite("CA rotation: the PKI's files and record, step by step")
struct CARotationTests {
    static func pki() async throws -> (PKIStore, [CertificateProfile]) {
        let cluster = try PKIFixture.resolve()
        let store = PKIStore(directory: try PKIFixture.temporaryDirectory())
        try await PKIFixture.issue(cluster, into: store)
        return (store, ClusterCertificates.profiles(for: cluster))
    }

    static func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    @Test("begin, advance, finish: the new CA beside the old, then signing with the old one retired and trusted, then the record gone")
    func threeSteps() async throws {
        let (store, profiles) = try await Self.pki()
        let cas = profiles.filter(\.isCA)
        #expect(cas.map(\.name).sorted() == ["ca", "etcd-ca", "front-proxy-ca"])
        let oldCA = try #require(Self.read(store.certificatePath("ca")))
        let oldKey = try #require(Self.read(store.keyPath("ca")))

        // 1. Beside the old, which still signs.
        var rotation = try CARotation.begin(store, profiles: cas, now: Date())
        #expect(rotation.stage == .trustBoth && rotation.cas.map(\.ca) == cas.map(\.name))
        #expect(try CARotation.load(store) == rotation, "the record is on disk")
        let next = try #require(Self.read(store.certificatePath("ca-next")))
        #expect(Self.read(store.certificatePath("ca")) == oldCA, "the old CA keeps the name and signs")
        #expect(PKIFixture.mode(store.keyPath("ca-next")) == 0o600)
        #expect(rotation.alsoTrusted(store)["ca"] == next)
        let newCertificate = try Certificate(pemEncoded: next)
        #expect(try CARotation.fingerprint(newCertificate) == rotation.cas[0].new && rotation.cas[0].new != rotation.cas[0].old)
        #expect(newCertificate.subject == (try Certificate(pemEncoded: oldCA)).subject, "the same name: only the key and dates are new")
        // Out of order: a second rotation, or finishing before the new CAs sign.
        #expect(throws: PKIError.self) { try CARotation.begin(store, profiles: cas, now: Date()) }
        let early = #expect(throws: PKIError.self) { try rotation.finish(store) }
        #expect(early?.code == .rotationOrder)

        // 2. The new CA takes the name; the old one is kept, and trusted beside it.
        try rotation.advance(store)
        let stored = try CARotation.load(store)
        #expect(rotation.stage == .newLeaves && stored?.stage == .newLeaves)
        #expect(Self.read(store.certificatePath("ca")) == next && !FileManager.default.fileExists(atPath: store.certificatePath("ca-next")))
        let retired = "\(store.directory)/retired/ca-\(rotation.cas[0].old.prefix(16))"
        #expect(Self.read("\(retired).pem") == oldCA && Self.read("\(retired)-key.pem") == oldKey)
        #expect(rotation.alsoTrusted(store)["ca"] == oldCA)
        // Every leaf the old CA signed is now refused as foreign: `pki issue --renew` issues it again.
        let existing = Dictionary(uniqueKeysWithValues: profiles.map { ($0.name, store.load($0.name)) })
        let plan = PKIPlanner.plan(profiles: profiles, existing: existing, store: store, now: Date())
        let admin = try #require(plan.items.first { $0.profile.name == "admin" })
        guard case .blocked(let error) = admin.action else { Issue.record("admin: \(admin.action)"); return }
        #expect(error.code == .foreignIssuer)
        #expect(throws: PKIError.self) { try rotation.advance(store) }

        // 3. Alone: the record goes, the retired CA stays.
        try rotation.finish(store)
        #expect(try CARotation.load(store) == nil && FileManager.default.fileExists(atPath: "\(retired)-key.pem"))
    }

    @Test("a step 2 cut after the new key took the name, run again, keeps the old key as the retired one")
    func interruptedAdvanceKeepsTheOldKey() async throws {
        let (store, profiles) = try await Self.pki()
        let oldKey = try #require(Self.read(store.keyPath("ca")))
        var rotation = try CARotation.begin(store, profiles: profiles.filter { $0.name == "ca" }, now: Date())
        // The first try: retired written, then cut after the key moved (the cert not yet).
        var first = rotation
        try first.advance(store)
        // Put the state of the cut back: next files again, the old certificate under the name.
        let retired = "\(store.directory)/retired/ca-\(rotation.cas[0].old.prefix(16))"
        let newCA = try #require(Self.read(store.certificatePath("ca")))
        let newKey = try #require(Self.read(store.keyPath("ca")))
        try AtomicFile.write(newCA, to: store.certificatePath("ca-next"), mode: 0o644)
        try AtomicFile.write(newKey, to: store.keyPath("ca-next"), mode: 0o600)
        try AtomicFile.write(try #require(Self.read("\(retired).pem")), to: store.certificatePath("ca"), mode: 0o644)
        try rotation.advance(store)
        #expect(Self.read("\(retired)-key.pem") == oldKey, "the retired key is the old one")
        #expect(Self.read(store.keyPath("ca")) == newKey && Self.read(store.certificatePath("ca")) == newCA)
    }

    @Test("step 2's leaves: every certificate of a rotated CA issued again from the new one with its own key; the others kept")
    func leavesOfRotatedCAs() async throws {
        let (store, profiles) = try await Self.pki()
        let keyBefore = try #require(Self.read(store.keyPath("service-account")))
        let etcdServer = try #require(profiles.first { $0.issuer == ClusterCertificates.etcdCAName && !$0.isCA })
        let etcdBefore = try #require(Self.read(store.certificatePath(etcdServer.name)))
        var rotation = try CARotation.begin(store, profiles: profiles.filter { $0.name == "ca" }, now: Date())
        try rotation.advance(store)
        let result = try await PKIIssuer.run(profiles: profiles, store: store, options: PKIIssueOptions(rotated: ["ca"]), now: Date())
        #expect(result.failed.isEmpty, "\(result.failed.map(\.name))")
        let newCA = try Certificate(pemEncoded: try #require(Self.read(store.certificatePath("ca"))))
        let leaves = profiles.filter { !$0.isCA && ($0.issuer ?? "ca") == "ca" }
        #expect(Set(result.entries.filter { $0.outcome == .reissued }.map(\.name)) == Set(leaves.map(\.name)))
        for leaf in leaves {
            let certificate = try Certificate(pemEncoded: try #require(Self.read(store.certificatePath(leaf.name))))
            #expect(CertificateSigner.isSigned(certificate, by: newCA), "\(leaf.name)")
        }
        // The service account's key signs every token: it stays, so every pod's token still works.
        #expect(Self.read(store.keyPath("service-account")) == keyBefore)
        #expect(Self.read(store.certificatePath(etcdServer.name)) == etcdBefore, "etcd-ca was not rotated: its leaves stay")
        // Run again: nothing left to do.
        let again = try await PKIIssuer.run(profiles: profiles, store: store, options: PKIIssueOptions(rotated: ["ca"]), now: Date())
        #expect(again.count(.kept) == profiles.count)
    }

    @Test("the catalog names each CA by its role: old and new in each stage, retired after; a served leaf's issuer; a trust file's CAs")
    func catalog() async throws {
        let (store, profiles) = try await Self.pki()
        let names = profiles.filter(\.isCA).map(\.name)
        let leaf = try #require(Self.read(store.certificatePath("admin")))
        #expect(try CACatalog(store: store, names: names).entries.map(\.label) == names)
        #expect(try CACatalog(store: store, names: names).issuer(of: leaf)?.label == "ca")

        var rotation = try CARotation.begin(store, profiles: profiles.filter { $0.name == "ca" }, now: Date())
        let both = try CACatalog(store: store, names: names)
        #expect(both.entries.map(\.label) == ["ca (old)", "ca (new)"] + names.dropFirst())
        #expect(both.issuer(of: leaf)?.label == "ca (old)")
        let bundle = try #require(Self.read(store.certificatePath("ca"))) + (try #require(Self.read(store.certificatePath("ca-next"))))
        #expect(both.trusted(bundle).cas.map(\.label) == ["ca (old)", "ca (new)"] && both.trusted(bundle).unknown == 0)
        #expect(both.isTrustFile(bundle) && !both.isTrustFile(leaf) && !both.isTrustFile(bundle + leaf))

        try rotation.advance(store)
        let after = try CACatalog(store: store, names: names)
        #expect(after.entries.prefix(2).map(\.label) == ["ca (new)", "ca (old)"])
        #expect(after.issuer(of: leaf)?.label == "ca (old)", "a leaf not issued again yet")
        try rotation.finish(store)
        let finished = try CACatalog(store: store, names: names)
        #expect(finished.entries.map(\.role) == [.current, .retired, .current, .current])
        #expect(finished.issuer(of: leaf)?.role == .retired)
        #expect(finished.trusted(bundle).cas.map(\.role) == [.retired, .current])
    }
}

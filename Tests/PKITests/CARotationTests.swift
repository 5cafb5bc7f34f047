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
}

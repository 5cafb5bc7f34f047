import Testing
import ClusterModel
import Render

@Suite struct EncryptionKeyRingTests {
    static func secret(_ byte: UInt8) -> String { Base64.encode(Array(repeating: byte, count: 32)) }

    @Test func aRotationAddsThenPromotesThenDropsTheOldKey() throws {
        let start = EncryptionKeyRing.initial(provider: .aescbc, secret: Self.secret(1))
        let added = try start.addingKey(provider: .secretbox, secret: Self.secret(2))
        #expect(added.keys.map(\.name) == ["key1", "key2"] && added.stage == .newKeyReadable && added.writeKey?.name == "key1")
        let promoted = try added.promotingNewKey()
        #expect(promoted.keys.map(\.name) == ["key2", "key1"] && promoted.stage == .newKeyWriting)
        #expect(throws: RenderError.self) { try promoted.addingKey(provider: .aescbc, secret: Self.secret(3)) }
        let finished = try promoted.finishing()
        #expect(finished.keys.map(\.name) == ["key2"] && finished.stage == .steady)
        #expect(try finished.addingKey(provider: .aescbc, secret: Self.secret(3)).keys.last?.name == "key3")
        #expect(throws: RenderError.self) { try start.finishing() }
        #expect(throws: RenderError.self) { try added.finishing() }
    }

    @Test("a retired key comes back as a read key, the write key still writing; --finish retires it again")
    func aRetiredKeyComesBack() throws {
        let finished = try EncryptionKeyRing.initial(provider: .aescbc, secret: Self.secret(1))
            .addingKey(provider: .aescbc, secret: Self.secret(2)).promotingNewKey().finishing()
        let retired = EncryptionKeyRing.Key(name: "key1", provider: .aescbc, secret: Self.secret(1))
        let back = try finished.readmitting(retired)
        #expect(back.keys.map(\.name) == ["key2", "key1"] && back.writeKey?.name == "key2" && back.stage == .newKeyWriting)
        #expect(try back.finishing().keys.map(\.name) == ["key2"])
        #expect(throws: RenderError.self) { try back.readmitting(retired) }
        #expect(throws: RenderError.self) { try finished.readmitting(EncryptionKeyRing.Key(name: "key2", provider: .aescbc, secret: Self.secret(9))) }
    }

    @Test func theConfigurationWritesWithTheFirstKeyAndReadsWithAllThenIdentity() throws {
        let ring = try EncryptionKeyRing.initial(provider: .aescbc, secret: Self.secret(1))
            .addingKey(provider: .secretbox, secret: Self.secret(2)).promotingNewKey()
        let input = try RenderFixture.input("lab")
        let rendered = try ClusterRenderer.render(RenderInput(cluster: input.cluster, pki: input.pki, encryption: ring))
        let config = try #require(rendered.node("master-0")?.file("/var/lib/kubernetes/encryption-config.yaml"))
        #expect(config.mode == 0o600)
        let text = config.contents
        let secretbox = try #require(text.range(of: "- secretbox:")), aescbc = try #require(text.range(of: "- aescbc:"))
        let identity = try #require(text.range(of: "- identity: {}"))
        #expect(secretbox.lowerBound < aescbc.lowerBound && aescbc.lowerBound < identity.lowerBound)
        #expect(text.contains("name: key2\n              secret: \(Self.secret(2))"))
    }

    @Test func anUnusableRingIsRefused() throws {
        let input = try RenderFixture.input("lab")
        for ring in [EncryptionKeyRing(keys: []), EncryptionKeyRing(keys: [.init(name: "key1", provider: .aescbc, secret: "c2hvcnQ=")])] {
            #expect(throws: RenderError.self) { try ClusterRenderer.render(RenderInput(cluster: input.cluster, pki: input.pki, encryption: ring)) }
        }
    }
}

@Suite struct TextDiffTests {
    @Test func showsChangedLinesWithContext() {
        let old = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacingOccurrences(of: "line 5\n", with: "line five\n")
        let diff = TextDiff.unified(old: old, new: new, oldName: "a/x", newName: "b/x")
        #expect(diff == "--- a/x\n+++ b/x\n@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+line five\n line 6\n line 7\n line 8\n")
        #expect(TextDiff.unified(old: old, new: old, oldName: "a", newName: "b") == "")
        #expect(TextDiff.unified(old: "", new: "new\n", oldName: "/dev/null", newName: "b") == "--- /dev/null\n+++ b\n@@ -1,0 +1,1 @@\n+new\n")
    }
}

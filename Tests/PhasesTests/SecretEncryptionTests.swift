import Foundation
import Testing
import ClusterModel
@testable import Phases
import Remote
import Render
import Shell
import TestSupport

@Suite("secrets and their keys: stored prefixes, etcdctl pages, the census, what controllers run, kubectl replace's answers")
struct SecretEncryptionTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("the stored key is read from the k8s:enc prefix; identity's protobuf is plain")
    func storedKey() {
        #expect(StoredKey(storedValue: Self.bytes("k8s:enc:aescbc:v1:key2:") + [0, 0xff, 0x3a, 0x10]) == .encrypted(provider: "aescbc", name: "key2"))
        #expect(StoredKey(storedValue: Self.bytes("k8s:enc:secretbox:v1:key10:xyz")) == .encrypted(provider: "secretbox", name: "key10"))
        #expect(StoredKey(storedValue: Self.bytes("k8s") + [0, 0x0a, 0x0c]) == .plain)
        #expect(StoredKey(storedValue: Self.bytes("{\"kind\":\"Secret\"}")) == .plain)
        // Cut short (only the first bytes read): the key name is unknown, never guessed.
        #expect(StoredKey(storedValue: Self.bytes("k8s:enc:aesgcm:v1:ke")) == .encrypted(provider: "aesgcm", name: "?"))
        #expect(StoredKey(EncryptionKeyRing.Key(name: "key1", provider: .aescbc, secret: "")).description == "aescbc:key1")
        #expect(StoredKey.plain.description == "not encrypted")
    }

    /// etcdctl 3.4's own output (`get /registry/secrets/ /registry/secrets0 --limit=2 -w json`), binary values included.
    static let page = """
    {"header":{"cluster_id":14841639068965178418,"member_id":10276657743932975437,"revision":4,"raft_term":2},"kvs":[{"key":"L3JlZ2lzdHJ5L3NlY3JldHMvZGVmYXVsdC9h","create_revision":2,"mod_revision":2,"version":1,"value":"azhzOmVuYzphZXNjYmM6djE6a2V5MToA/xBiaW5hcnk="},{"key":"L3JlZ2lzdHJ5L3NlY3JldHMva3ViZS1zeXN0ZW0vYg==","create_revision":3,"mod_revision":3,"version":1,"value":"azhzAAoMdjESBlNlY3JldA=="}],"more":true,"count":3}
    """

    @Test("etcdctl's JSON pages: base64 keys and binary values, more, and a page without kvs")
    func etcdPages() throws {
        let page = try #require(EtcdRangePage.parse(Self.page))
        #expect(page.more)
        #expect(page.pairs.map(\.key) == ["/registry/secrets/default/a", "/registry/secrets/kube-system/b"])
        #expect(page.pairs[0].value == Self.bytes("k8s:enc:aescbc:v1:key1:") + [0, 0xff, 0x10] + Self.bytes("binary"))
        let census = SecretCensus(pairs: page.pairs)
        #expect(census.entries == [.init(secret: "default/a", key: .encrypted(provider: "aescbc", name: "key1")), .init(secret: "kube-system/b", key: .plain)])
        let empty = try #require(EtcdRangePage.parse(#"{"header":{"cluster_id":1,"member_id":2,"revision":4,"raft_term":2}}"#))
        #expect(empty.pairs.isEmpty && !empty.more)
        #expect(EtcdRangePage.parse("Error: context deadline exceeded") == nil)
    }

    static func ring() throws -> EncryptionKeyRing {
        let secret = Base64.encode(Array(repeating: 7, count: 32))
        return try EncryptionKeyRing.initial(provider: .aescbc, secret: secret).addingKey(provider: .aescbc, secret: secret).promotingNewKey()
    }

    @Test("the census counts every ring key (0 included), then other keys, then plain ones; plain secrets do not block dropping old keys")
    func census() throws {
        let key1 = StoredKey.encrypted(provider: "aescbc", name: "key1"), key2 = StoredKey.encrypted(provider: "aescbc", name: "key2")
        let stranger = StoredKey.encrypted(provider: "secretbox", name: "key9")
        let census = SecretCensus(entries: [.init(secret: "a/1", key: key2), .init(secret: "a/2", key: key1), .init(secret: "b/1", key: .plain),
                                            .init(secret: "b/2", key: stranger), .init(secret: "b/3", key: key2)])
        let counts = census.counts(ring: try Self.ring())
        #expect(counts.map(\.key) == [key2, key1, stranger, .plain] && counts.map(\.count) == [2, 1, 1, 1])
        #expect(census.notUnder(key2).map(\.secret) == ["a/2", "b/2"])
        #expect(SecretCensus(entries: [.init(secret: "a/1", key: key2)]).counts(ring: try Self.ring()).map(\.count) == [1, 0])
    }

    /// Serves `etcdctl get START END --limit=N -w json` from a sorted map, as etcd does.
    struct EtcdHost: RemoteHost {
        let name = "master-0"
        let values: [String: String]
        let reads = Reads()
        final class Reads: @unchecked Sendable { var count = 0 }

        func run(_ script: String, input: Data?, timeout: TimeInterval) throws -> ExecResult {
            reads.count += 1
            let words = script.split(separator: " ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "'")) }
            let get = try #require(words.firstIndex(of: "get"))
            let start = words[get + 1], end = words[get + 2]
            let limit = try #require(words.first { $0.hasPrefix("--limit=") }.flatMap { Int($0.dropFirst(8)) })
            let inRange = values.keys.filter { $0 >= start && $0 < end }.sorted()
            let kvs = inRange.prefix(limit).map { #"{"key":"\#(Base64.encode($0))","value":"\#(Base64.encode(values[$0]!))"}"# }
            return ExecResult(status: 0, stdout: #"{"header":{"revision":9},"kvs":[\#(kvs.joined(separator: ","))],"more":\#(inRange.count > limit)}"#, stderr: "")
        }

        func upload(_ files: [RemoteFile]) throws {}
        func download(_ path: String, to local: String) throws { throw ShellError("no files here") }
    }

    @Test("the census pages through every secret once, whatever the page size, and nothing outside /registry/secrets/")
    func censusPages() throws {
        var values = ["/registry/secretsx": "k8s:enc:aescbc:v1:key1:", "/registry/serviceaccounts/default/default": "k8s\0"]
        for index in 0..<(2 * SecretEncryption.pageSize + 3) {
            values["/registry/secrets/ns\(index % 7)/s\(index)"] = index % 5 == 0 ? "k8s:enc:aescbc:v1:key1:x" : "k8s:enc:aescbc:v1:key2:y"
        }
        let cluster = try #require(ClusterResolver.resolve(text: Fixture.base).cluster)
        let host = EtcdHost(values: values)
        let census = try SecretEncryption(cluster: cluster, hosts: [:], progress: { _ in }).census(on: host)
        #expect(census.total == 2 * SecretEncryption.pageSize + 3 && Set(census.entries.map(\.secret)).count == census.total)
        #expect(census.notUnder(.encrypted(provider: "aescbc", name: "key2")).count == (2 * SecretEncryption.pageSize + 3 + 4) / 5)
        #expect(host.reads.count == 3)
    }

    @Test("a controller runs the ring's file when its sha256 matches and kube-apiserver started after the file changed")
    func controllerConfig() {
        let text = "sha256=abc\nchanged=1000\nactive=active\nstarted=1000\n"
        #expect(ControllerEncryptionConfig.parse(host: "master-0", text).problem(expected: "abc") == nil)
        #expect(ControllerEncryptionConfig.parse(host: "master-0", text).problem(expected: "def") == "master-0's encryption-config.yaml is not the key ring's")
        let early = ControllerEncryptionConfig.parse(host: "master-1", "sha256=abc\nchanged=1000\nactive=active\nstarted=990\n")
        #expect(early.problem(expected: "abc")?.hasPrefix("kube-apiserver on master-1 started before its encryption-config.yaml last changed") == true)
        #expect(ControllerEncryptionConfig.parse(host: "m", "sha256=abc\nchanged=1000\nactive=activating\n").problem(expected: "abc") == "kube-apiserver is not running on m")
        #expect(ControllerEncryptionConfig.parse(host: "m", "active=active\nstarted=5\n").problem(expected: "abc") == "m has no /var/lib/kubernetes/encryption-config.yaml")
    }

    @Test("kubectl replace's answers: replaced names, conflicts and deletions by name, anything else an error")
    func replaceOutcome() {
        let stderr = """
        Error from server (Conflict): error when replacing "/tmp/tmp.Zx1": Operation cannot be fulfilled on secrets "busy": the object has been modified; please apply your changes to the latest version and try again
        Error from server (NotFound): error when replacing "/tmp/tmp.Zx1": secrets "gone" not found
        Error from server (Forbidden): error when replacing "/tmp/tmp.Zx1": secrets "locked" is forbidden: denied by a webhook

        """
        let outcome = SecretReplaceOutcome.parse(stdout: "secret/a\nsecret/b replaced\n", stderr: stderr)
        #expect(outcome.replaced == ["a", "b"] && outcome.conflicts == ["busy"] && outcome.gone == ["gone"])
        #expect(outcome.errors.count == 1 && outcome.errors[0].contains("(Forbidden)"))
    }

    @Test("the replace script keeps the secrets on the controller and quotes what it is given")
    func replaceScript() {
        let all = SecretEncryption.replaceScript(namespace: "default", names: nil)
        #expect(all.contains("-n 'default' get secrets -o json > \"$f\"") && all.contains("replace -f \"$f\" -o name") && all.contains("trap 'rm -f \"$f\"' EXIT"))
        let some = SecretEncryption.replaceScript(namespace: "a", names: ["x", "y"])
        #expect(some.contains("get secrets 'x' 'y' --ignore-not-found -o json"))
    }
}

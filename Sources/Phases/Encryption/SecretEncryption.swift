import Foundation
import ClusterModel
import Remote
import Render
import Shell

/// The key a secret's value in etcd was written with, read from its first bytes: the API server
/// puts `k8s:enc:<provider>:v1:<key name>:` before what it encrypted; identity writes the object as
/// it is (protobuf, `k8s\0…`), with no such prefix.
public enum StoredKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    case encrypted(provider: String, name: String)
    case plain

    static let marker = Array("k8s:enc:".utf8)

    public init(storedValue bytes: some Collection<UInt8>) {
        guard bytes.starts(with: Self.marker) else { self = .plain; return }
        // provider, version, key name: the three fields after the marker, each ended by a colon.
        var fields: [String] = []
        var field: [UInt8] = []
        for byte in bytes.dropFirst(Self.marker.count) {
            guard fields.count < 3 else { break }
            if byte == UInt8(ascii: ":") {
                fields.append(String(decoding: field, as: UTF8.self))
                field = []
            } else {
                field.append(byte)
            }
        }
        self = .encrypted(provider: fields.first ?? "?", name: fields.count == 3 ? fields[2] : "?")
    }

    public init(_ key: EncryptionKeyRing.Key) {
        self = .encrypted(provider: key.provider.rawValue, name: key.name)
    }

    /// `aescbc:key2`, or `not encrypted`.
    public var description: String {
        switch self {
        case .encrypted(let provider, let name): return "\(provider):\(name)"
        case .plain: return "not encrypted"
        }
    }
}

/// One page of `etcdctl get … -w json`. Keys and values come base64-encoded: values are binary.
public struct EtcdRangePage: Sendable, Equatable {
    public struct Pair: Sendable, Equatable {
        public var key: String
        public var value: [UInt8]
    }

    public var pairs: [Pair]
    /// Whether etcd holds more keys in the range than the page's limit let through.
    public var more: Bool

    /// nil when the text is not etcdctl's JSON (a page with no keys has no `kvs`).
    public static func parse(_ json: String) -> EtcdRangePage? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], object["header"] != nil else { return nil }
        var pairs: [Pair] = []
        for kv in object["kvs"] as? [[String: Any]] ?? [] {
            guard let key = (kv["key"] as? String).flatMap(Base64.decode) else { return nil }
            pairs.append(Pair(key: String(decoding: key, as: UTF8.self), value: (kv["value"] as? String).flatMap(Base64.decode) ?? []))
        }
        return EtcdRangePage(pairs: pairs, more: object["more"] as? Bool ?? false)
    }
}

/// Every secret in etcd and the key it is stored under, as read raw from etcd: what tells whether a
/// rotation can drop the old keys.
public struct SecretCensus: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// `namespace/name`.
        public var secret: String
        public var key: StoredKey
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// From etcd pairs under `/registry/secrets/`: the secret's name from the key, its stored key
    /// from the value.
    public init(pairs: [EtcdRangePage.Pair]) {
        entries = pairs.map { pair in
            Entry(secret: pair.key.hasPrefix(SecretEncryption.prefix) ? String(pair.key.dropFirst(SecretEncryption.prefix.count)) : pair.key,
                  key: StoredKey(storedValue: pair.value))
        }
    }

    public var total: Int { entries.count }

    /// How many secrets each key holds, every key of `ring` included (with 0), then any other.
    public func counts(ring: EncryptionKeyRing) -> [(key: StoredKey, count: Int)] {
        var counts: [StoredKey: Int] = [:]
        for entry in entries { counts[entry.key, default: 0] += 1 }
        let ringKeys = ring.keys.map(StoredKey.init)
        return ringKeys.map { ($0, counts[$0] ?? 0) } + counts.keys.filter { !ringKeys.contains($0) }.sorted().map { ($0, counts[$0]!) }
    }

    /// The secrets under an encryption key other than `writeKey`: under the ring's old keys, or under
    /// a key the ring does not hold. Plain ones are not counted: identity stays last in every
    /// configuration, so they remain readable (a rewrite encrypts them).
    public func notUnder(_ writeKey: StoredKey) -> [Entry] {
        entries.filter { $0.key != writeKey && $0.key != .plain }
    }
}

/// What a controller runs: its encryption-config.yaml and whether its kube-apiserver started after
/// the file last changed (the API server reads the file only when it starts).
public struct ControllerEncryptionConfig: Sendable, Equatable {
    public var host: String
    /// nil when the file is missing.
    public var sha256: String?
    public var apiServerActive: Bool
    /// When the file's inode last changed, and when kube-apiserver's process started (seconds since
    /// 1970, both by the controller's clock, so this box's clock does not matter).
    public var changed: Int?
    public var started: Int?

    /// Prints `sha256=`, `changed=`, `active=`, `started=` lines. The start time is the process's
    /// (from /proc, in clock ticks since boot), not systemd's text timestamp.
    static let script = """
    f=\(EncryptionConfigRenderer.path)
    if [ -f "$f" ]; then echo "sha256=$(sha256sum < "$f" | cut -d' ' -f1)"; echo "changed=$(stat -c %Z "$f")"; fi
    echo "active=$(systemctl is-active kube-apiserver)"
    \(NodeCommands.unitStarted("kube-apiserver")); [ "$t" = - ] || echo "started=$t"
    """

    public static func parse(host: String, _ text: String) -> ControllerEncryptionConfig {
        let values = ScriptOutput.keyValues(text)
        return ControllerEncryptionConfig(host: host, sha256: values["sha256"], apiServerActive: values["active"] == "active",
                                          changed: values["changed"].flatMap { Int($0) }, started: values["started"].flatMap { Int($0) })
    }

    /// Why the API server does not run the file whose sha256 is `expected`; nil when it does.
    public func problem(expected: String) -> String? {
        guard let sha256 else { return "\(host) has no \(EncryptionConfigRenderer.path)" }
        guard sha256 == expected else { return "\(host)'s encryption-config.yaml is not the key ring's" }
        guard apiServerActive, let started else { return "kube-apiserver is not running on \(host)" }
        // One second of slack: both times are whole seconds, and apply restarts right after writing.
        if let changed, started + 1 < changed {
            return "kube-apiserver on \(host) started before its encryption-config.yaml last changed, so it still runs the file before"
        }
        return nil
    }
}

/// What `kubectl replace -f FILE -o name` said, secret by secret.
public struct SecretReplaceOutcome: Sendable, Equatable {
    public var replaced: [String] = []
    /// 409: changed by someone else since it was read. That write went through an API server too,
    /// so it is stored under that server's write key already; it is read again and retried.
    public var conflicts: [String] = []
    /// 404: deleted since it was read; nothing to rewrite.
    public var gone: [String] = []
    /// Anything else, as kubectl said it.
    public var errors: [String] = []

    public init(replaced: [String] = [], conflicts: [String] = [], gone: [String] = [], errors: [String] = []) {
        self.replaced = replaced
        self.conflicts = conflicts
        self.gone = gone
        self.errors = errors
    }

    public static func parse(stdout: String, stderr: String) -> SecretReplaceOutcome {
        var outcome = SecretReplaceOutcome()
        for line in stdout.split(separator: "\n") where line.hasPrefix("secret/") {
            outcome.replaced.append(String(line.dropFirst("secret/".count).split(separator: " ").first ?? ""))
        }
        for line in stderr.split(separator: "\n").map(String.init) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            if line.hasPrefix("Error from server (Conflict)"), let name = secretName(line) {
                outcome.conflicts.append(name)
            } else if line.hasPrefix("Error from server (NotFound)"), let name = secretName(line) {
                outcome.gone.append(name)
            } else {
                outcome.errors.append(line)
            }
        }
        return outcome
    }

    /// The name in `… secrets "NAME" …`.
    static func secretName(_ line: String) -> String? {
        guard let start = line.range(of: "secrets \"") else { return nil }
        let rest = line[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}

/// Secrets and the keys that encrypt them, on a running cluster: what each controller runs, what
/// etcd holds under which key, and every secret written again through the API so that the write
/// key encrypts it.
public struct SecretEncryption: LiveClusterWork, Sendable {
    public static let prefix = "/registry/secrets/"
    /// The end of etcd's range for `prefix` (exclusive): '/' + 1 is '0'.
    static let rangeEnd = "/registry/secrets0"
    static let pageSize = 200
    /// How often a secret that conflicted is read again and replaced.
    static let attempts = 3

    public let live: LiveCluster

    public init(cluster: Cluster, hosts: [String: any RemoteHost], progress: @escaping @Sendable (String) -> Void) {
        self.live = LiveCluster(cluster: cluster, hosts: hosts, progress: progress)
    }

    static let kubectl = NodeCommands.kubectl

    /// Each controller's encryption configuration, read in parallel.
    public func controllerConfigs() throws -> [ControllerEncryptionConfig] {
        let results = parallel(cluster.controllers, limit: live.parallelism) { controller -> Result<ControllerEncryptionConfig, Error> in
            Result {
                let text = try hosts[controller.name]!.check(ControllerEncryptionConfig.script, step: "reading the encryption configuration").stdout
                return ControllerEncryptionConfig.parse(host: controller.name, text)
            }
        }
        return try results.map { try $0.get() }
    }

    /// Every secret's stored key, read page by page from the first etcd member that answers, with
    /// linearizable reads (etcdctl's default), so nothing the API server wrote before is missed.
    public func census() throws -> SecretCensus {
        var lastFailure: Error?
        for member in cluster.etcdMembers {
            do {
                return try census(on: hosts[member.name]!)
            } catch let error as RemoteError {
                lastFailure = error
                progress("  \(member.name): etcd did not answer (\(error.result.tail)); trying the next member")
            }
        }
        throw lastFailure ?? PhaseError(.unexpectedState, .etcd, "the cluster file has no etcd member", fix: "check the cluster file's roles")
    }

    func census(on member: any RemoteHost) throws -> SecretCensus {
        let etcdctl = NodeCommands.etcdctl()
        var pairs: [EtcdRangePage.Pair] = []
        var start = Self.prefix
        while true {
            // After the first page, the range starts at the last key read, which comes again first.
            let first = start == Self.prefix
            let limit = Self.pageSize + (first ? 0 : 1)
            let json = try member.check("\(etcdctl) get \(shellQuote(start)) \(shellQuote(Self.rangeEnd)) --limit=\(limit) -w json",
                                        step: "reading secrets from etcd").stdout
            guard let page = EtcdRangePage.parse(json) else {
                throw RemoteError(host: member.name, step: "reading secrets from etcd", result: ExecResult(status: 0, stdout: String(json.prefix(200)), stderr: "etcdctl's output is not JSON"))
            }
            let fresh = first ? page.pairs : Array(page.pairs.drop { $0.key == start })
            pairs += fresh
            guard page.more, let last = page.pairs.last?.key, !fresh.isEmpty else { break }
            start = last
            progress("  \(pairs.count) secrets read from etcd on \(member.name)")
        }
        return SecretCensus(pairs: pairs)
    }

    /// The first controller whose API server answers /livez.
    public func reachableController() throws -> Machine {
        var answers: [String] = []
        for controller in cluster.controllers {
            let livez = try? hosts[controller.name]!.run("\(Self.kubectl) get --raw /livez 2>&1")
            if let livez, livez.succeeded, livez.stdout.hasPrefix("ok") { return controller }
            answers.append("\(controller.name): \(livez?.tail ?? "no answer on ssh")")
        }
        throw PhaseError(.unexpectedState, .controlPlane, "no API server answers /livez (\(answers.joined(separator: "; ")))",
                         fix: "run `hardway check -f <cluster file>` to see what is down")
    }

    public struct RewriteReport: Codable, Sendable, Equatable {
        public var controller: String
        public var namespaces: Int
        public var rewritten: Int
        /// Secrets that kept changing through all the attempts: each change was a write through an
        /// API server, so the census decides whether they are under the write key.
        public var changedMeanwhile: [String]
        /// Deleted while being rewritten.
        public var gone: Int
        /// What kubectl refused, `namespace: message`.
        public var errors: [String]
    }

    /// Reads and replaces every secret, namespace by namespace, through the API server on one
    /// controller: an unchanged object is written again only when its stored key is not the write
    /// key (the API server marks it stale), which is what moves it. Each replace carries the
    /// resourceVersion it was read with, so a secret changed meanwhile is refused (409) rather than
    /// overwritten with what was read before; only those are read again and retried.
    public func rewrite() throws -> RewriteReport {
        let controller = try reachableController()
        let remote = hosts[controller.name]!
        let listed = try remote.check("\(Self.kubectl) get namespaces -o jsonpath='{.items[*].metadata.name}'", step: "listing namespaces").stdout
        let namespaces = listed.split(separator: " ").map(String.init).filter { !$0.isEmpty }.sorted()
        progress("rewriting the secrets of \(namespaces.count) namespaces through the API server on \(controller.name)")
        var report = RewriteReport(controller: controller.name, namespaces: namespaces.count, rewritten: 0, changedMeanwhile: [], gone: 0, errors: [])
        for namespace in namespaces {
            var names: [String]? = nil
            var attempt = 0, rewritten = 0, retried = 0
            while attempt < Self.attempts {
                attempt += 1
                let result = try remote.run(Self.replaceScript(namespace: namespace, names: names), timeout: 600)
                let outcome = SecretReplaceOutcome.parse(stdout: result.stdout, stderr: result.stderr)
                rewritten += outcome.replaced.count
                report.gone += outcome.gone.count
                report.errors += outcome.errors.map { "\(namespace): \($0)" }
                if result.status != 0 && outcome.errors.isEmpty && outcome.conflicts.isEmpty && outcome.gone.isEmpty {
                    report.errors.append("\(namespace): exit \(result.status): \(result.tail)")
                }
                names = outcome.conflicts
                if outcome.conflicts.isEmpty { break }
                retried += outcome.conflicts.count
            }
            report.changedMeanwhile += (names ?? []).map { "\(namespace)/\($0)" }
            report.rewritten += rewritten
            progress("  \(namespace): \(rewritten) rewritten" + (retried > 0 ? ", \(retried) read again after a conflict" : ""))
        }
        return report
    }

    /// Lists the namespace's secrets (or the named ones) into a file on the controller and replaces
    /// them from it: the secrets never leave the controller.
    static func replaceScript(namespace: String, names: [String]?) -> String {
        let ns = shellQuote(namespace)
        let which = names.map { " " + $0.map(shellQuote).joined(separator: " ") + " --ignore-not-found" } ?? ""
        return """
        f=$(mktemp) || exit 1
        trap 'rm -f "$f"' EXIT
        \(kubectl) -n \(ns) get secrets\(which) -o json > "$f" || exit 1
        grep -q '"kind": "Secret"' "$f" || exit 0
        \(kubectl) -n \(ns) replace -f "$f" -o name
        """
    }
}

import ArgumentParser
import Foundation
import ClusterModel
import Phases
import Render

struct EncryptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encryption",
        abstract: "the keys that encrypt secrets at rest",
        subcommands: [EncryptionStatus.self, EncryptionRotate.self, EncryptionRewrite.self]
    )
}

struct EncryptionOptions: ParsableArguments {
    @OptionGroup var cluster: ClusterFileOptions

    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    @OptionGroup var output: OutputOptions

    /// `-f FILE`, with `--dir DIR` when one was given: what the commands in messages need to find
    /// the same cluster directory.
    var target: String { "-f \(cluster.file)" + (directoryOptions.dir.map { " --dir \($0)" } ?? "") }

    /// The cluster, its directory and the key ring there (`directory.encryptionKeys`), which must exist.
    func load() throws -> (Cluster, ClusterDirectory, EncryptionKeyRing) {
        let (resolved, directory) = try cluster.open(in: directoryOptions)
        let file = directory.encryptionKeys
        guard let ring = try file.load() else {
            throw CLIError("there is no key ring at \(file.path) yet", fix: "run `hardway render \(target)` first: it makes the first key")
        }
        return (resolved, directory, ring)
    }

    func report(_ ring: EncryptionKeyRing, file: EncryptionKeyFile, next: String) throws {
        try output.print(EncryptionReport(file: file.path, stage: ring.stage.rawValue,
                                          keys: ring.keys.enumerated().map { .init(name: $1.name, provider: $1.provider.rawValue, writes: $0 == 0) },
                                          next: next)) {
            var table = TextTable(["key", "provider", "role"])
            for (index, key) in ring.keys.enumerated() { table.add([key.name, key.provider.rawValue, index == 0 ? "writes and reads" : "reads"]) }
            Terminal.out(table.render())
            Terminal.out()
            Terminal.out("stage: \(ring.stage.rawValue)")
            Terminal.out("next: \(next)")
        }
    }

    func nextStep(_ ring: EncryptionKeyRing) -> String {
        let render = "`hardway render \(target)` and apply it to every controller (kube-apiserver restarts)"
        switch ring.stage {
        case .steady: return "nothing; `hardway encryption rotate \(target)` starts a rotation"
        case .newKeyReadable: return "\(render); then `hardway encryption rotate \(target)` makes the new key the write key"
        case .newKeyWriting: return "\(render); then `hardway encryption rewrite \(target)` and `hardway encryption rotate \(target) --finish`"
        }
    }

    /// The running cluster's secrets and keys, once apply got as far as the control plane; nil
    /// before (etcd holds no secret yet, so the key ring is file work alone).
    func running(_ cluster: Cluster, directory: ClusterDirectory) -> SecretEncryption? {
        guard ApplyRecord.load(directory.applyRecordPath).applied(.controlPlane) else { return nil }
        return SecretEncryption(cluster: cluster, hosts: directory.hosts(for: cluster), progress: { Terminal.err($0) })
    }

    /// Every API server must run the ring's current step before anything moves on: the new key must
    /// read everywhere before any server writes with it, and every server must write with it before
    /// secrets are rewritten or the old keys go. With a rolling restart, a step not yet applied on
    /// one controller would leave secrets that its API server cannot read, or that it writes with
    /// the key about to be dropped.
    func requireApplied(_ ring: EncryptionKeyRing, on encryption: SecretEncryption, directory: ClusterDirectory, before step: String) throws {
        let expected = RenderedFile(path: EncryptionConfigRenderer.path, contents: EncryptionConfigRenderer.render(ring)).sha256
        let problems = try applying(directory) { try encryption.controllerConfigs() }.compactMap { $0.problem(expected: expected) }
        guard problems.isEmpty else {
            throw CLIError("\(step) waits until every API server runs the key ring's stage \(ring.stage.rawValue) (\(ring.keys.map(\.name).joined(separator: ", "))): \(problems.joined(separator: "; "))",
                           fix: "run `hardway render \(target)` and `hardway apply \(target)` (it restarts the API servers one at a time), then run this again")
        }
        Terminal.err("every API server runs the key ring's stage \(ring.stage.rawValue) (\(encryption.cluster.controllers.map(\.name).joined(separator: ", ")))")
    }

    /// The secrets etcd holds under each key, for a table and for JSON.
    func keyRows(_ census: SecretCensus, ring: EncryptionKeyRing) -> [KeyCount] {
        let ringKeys = ring.keys.map(StoredKey.init)
        return census.counts(ring: ring).map { key, count in
            let role: String
            switch ringKeys.firstIndex(of: key) {
            case 0: role = "writes"
            case .some: role = "old, reads"
            case nil: role = key == .plain ? "not encrypted (identity reads it)" : "not in the key ring"
            }
            return KeyCount(key: key.description, secrets: count, role: role)
        }
    }

    func printKeyRows(_ rows: [KeyCount]) {
        var table = TextTable(["KEY", "SECRETS", "ROLE"])
        for row in rows { table.add([row.key, String(row.secrets), row.role]) }
        Terminal.out(table.render())
    }

    /// `aescbc:key1: 12 (default/a, default/b, …)` per key.
    static func describe(_ entries: [SecretCensus.Entry]) -> String {
        Dictionary(grouping: entries, by: \.key).sorted { $0.key < $1.key }.map { key, entries in
            let examples = entries.prefix(3).map(\.secret).joined(separator: ", ") + (entries.count > 3 ? ", …" : "")
            return "\(key): \(entries.count) (\(examples))"
        }.joined(separator: "; ")
    }
}

struct KeyCount: Encodable {
    var key: String
    var secrets: Int
    var role: String
}

struct EncryptionReport: Encodable {
    struct Key: Encodable {
        var name: String
        var provider: String
        var writes: Bool
    }
    var file: String
    var stage: String
    var keys: [Key]
    var next: String
}

struct EncryptionStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "show the encryption keys and where a rotation stands",
        usage: UsageLine.wrapped("hardway encryption status", "[--file <file>] [--dir <dir>] [--output <format>]"),
        discussion: """
        Examples:
          hardway encryption status -f cluster.yaml
          hardway encryption status -f cluster.yaml --output json
        """
    )

    @OptionGroup var options: EncryptionOptions

    func run() async throws {
        let (_, directory, ring) = try options.load()
        try options.report(ring, file: directory.encryptionKeys, next: options.nextStep(ring))
    }
}

/// One step of the documented key rotation per run; `--finish` ends it.
struct EncryptionRotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "rotate the key that encrypts secrets, one safe step per run",
        usage: UsageLine.wrapped("hardway encryption rotate", "[--file <file>] [--dir <dir>] [--output <format>] [--finish]"),
        discussion: """
        A rotation has three steps, each followed by `hardway render` and an apply to every \
        controller:

          1. rotate           a new key is added as a read key (every API server
                              must know it first)
          2. rotate           the new key becomes the write key; the old keys still
                              read
          3. rotate --finish  once every secret is rewritten, the old keys go

        The new key uses encryption.provider, so a rotation also switches providers.

        On a running cluster each step first checks that every controller runs the step before (its \
        encryption-config.yaml is the key ring's and kube-apiserver started after it changed). --finish \
        also reads every secret raw from etcd and refuses while any is stored under an old key (run \
        `hardway encryption rewrite` first): dropping that key would make it unreadable.

        Examples:
          hardway encryption rotate -f cluster.yaml
          hardway encryption rotate -f cluster.yaml --finish
        """
    )

    @OptionGroup var options: EncryptionOptions

    @Flag(help: "drop the old keys, once every secret was rewritten with the new one")
    var finish = false

    func run() async throws {
        let (cluster, directory, ring) = try options.load()
        let file = directory.encryptionKeys
        let next: EncryptionKeyRing
        do {
            if finish {
                next = try ring.finishing()
            } else if ring.stage == .newKeyReadable {
                next = try ring.promotingNewKey()
            } else {
                next = try ring.addingKey(provider: cluster.encryption.provider, secret: EncryptionKeyFile.newSecret())
            }
        } catch let error as RenderError {
            throw CLIError(error.message, fix: error.fix.replacingOccurrences(of: "`hardway encryption rotate", with: "`hardway encryption rotate \(options.target)")
                .replacingOccurrences(of: "`hardway encryption rewrite`", with: "`hardway encryption rewrite \(options.target)`"))
        }
        // The step is allowed by the ring; on a running cluster it must also be safe now.
        if let encryption = options.running(cluster, directory: directory) {
            try options.requireApplied(ring, on: encryption, directory: directory, before: finish ? "rotate --finish" : "the next rotation step")
            if finish, let writeKey = ring.writeKey {
                try requireEveryoneUnder(writeKey, encryption: encryption, directory: directory)
            }
        }
        try file.save(next)
        try options.report(next, file: file, next: options.nextStep(next))
    }

    /// etcd must hold no secret under a key other than the write key, read raw, before the old keys go.
    func requireEveryoneUnder(_ writeKey: EncryptionKeyRing.Key, encryption: SecretEncryption, directory: ClusterDirectory) throws {
        Terminal.err("reading every secret's stored key from etcd")
        let census = try applying(directory) { try encryption.census() }
        let stale = census.notUnder(StoredKey(writeKey))
        guard stale.isEmpty else {
            let file = options.target
            throw CLIError("\(stale.count) of \(census.total) secrets in etcd are still stored under another key than the write key \(StoredKey(writeKey)) — \(EncryptionOptions.describe(stale)); dropping the old keys would make them unreadable",
                           fix: "run `hardway encryption rewrite \(file)`, then `hardway encryption rotate \(file) --finish` again")
        }
        Terminal.err("etcd: every encrypted secret (\(census.total - census.entries.filter { $0.key == .plain }.count) of \(census.total)) is stored under \(StoredKey(writeKey))")
    }
}

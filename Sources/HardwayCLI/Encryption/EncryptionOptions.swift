import ArgumentParser
import ClusterModel
import Phases
import Render

/// What the encryption commands share: the cluster file, its directory and the output; the key
/// ring there, the next step of a rotation, and the checks on the running cluster.
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
    func running(_ cluster: Cluster, directory: ClusterDirectory) throws -> SecretEncryption? {
        guard try directory.applyRecord().applied(.controlPlane) else { return nil }
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

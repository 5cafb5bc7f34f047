import ArgumentParser
import Phases
import Render

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
          3. rotate --finish  once every secret is rewritten, the old keys go (kept
                              in <dir>/secrets/retired/ for older snapshots)

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
            throw CLIError(error.message, fix: (error.fix ?? "").replacingOccurrences(of: "`hardway encryption rotate", with: "`hardway encryption rotate \(options.target)")
                .replacingOccurrences(of: "`hardway encryption rewrite`", with: "`hardway encryption rewrite \(options.target)`"))
        }
        // The step is allowed by the ring; on a running cluster it must also be safe now.
        if let encryption = try options.running(cluster, directory: directory) {
            try options.requireApplied(ring, on: encryption, directory: directory, before: finish ? "rotate --finish" : "the next rotation step")
            if finish, let writeKey = ring.writeKey {
                try requireEveryoneUnder(writeKey, encryption: encryption, directory: directory)
            }
        }
        // The keys a finish drops are kept: a snapshot from before the rotation still needs them.
        if let kept = try file.retire(ring.keys.filter { key in !next.keys.contains(key) }) {
            Terminal.err("the old keys are kept in \(kept): restoring an etcd snapshot from before this rotation needs them")
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

import ArgumentParser
import Foundation
import Phases
import Render

/// `hardway encryption rewrite`: every secret written again through the API, so the write key
/// encrypts it; then etcd read raw to show what each key holds.
struct EncryptionRewrite: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rewrite",
        abstract: "rewrite every secret through the API so the write key encrypts it; verify in etcd",
        usage: UsageLine.wrapped("hardway encryption rewrite", "[--file <file>] [--dir <dir>] [--output <format>]"),
        discussion: """
        Needed between `encryption rotate` (the new key writes) and `encryption rotate --finish`; harmless at \
        any stage (in steady it also encrypts secrets stored before encryption was on). First checks that every \
        controller runs the key ring's encryption-config.yaml. Then, on the first controller whose API server \
        answers, namespace by namespace: the secrets are read and replaced (`kubectl replace`, on the controller: \
        they never reach this box). A replace carries the version it read, so a secret changed meanwhile is \
        refused (409), not overwritten; it is read again and replaced, up to 3 times. Last, every secret's \
        stored value is read raw from etcd and counted by key. Exits 1 when kubectl refused a secret or any \
        secret is still under another key than the write key.

        Examples:
          hardway encryption rewrite -f cluster.yaml
          hardway encryption rewrite -f cluster.yaml -o json | jq '.keys'
        """
    )

    @OptionGroup var options: EncryptionOptions

    struct Report: Encodable {
        var rewrite: SecretEncryption.RewriteReport
        var secrets: Int
        var keys: [KeyCount]
        /// Secrets under an encryption key other than the write key.
        var underOtherKeys: Int
        var seconds: Double
        var next: String
    }

    func run() async throws {
        let started = Date()
        let (cluster, directory, ring) = try options.load()
        let file = options.target
        guard let encryption = try options.running(cluster, directory: directory) else {
            throw CLIError("the control plane is not applied yet: etcd holds no secret to rewrite", fix: "run `hardway apply \(file)` first")
        }
        guard let writeKey = ring.writeKey.map(StoredKey.init) else {
            throw CLIError("the key ring holds no key", fix: "see `hardway encryption status \(file)`")
        }
        try options.requireApplied(ring, on: encryption, directory: directory, before: "rewrite")
        if ring.stage == .newKeyReadable, let newest = ring.keys.last {
            Terminal.err("note: \(writeKey) still writes (stage new-key-readable), so secrets stay under it; `hardway encryption rotate \(file)` makes \(newest.name) the write key")
        }
        let rewrite = try applying(directory) { try encryption.rewrite() }
        Terminal.err("reading every secret's stored key from etcd")
        let census = try applying(directory) { try encryption.census() }
        let others = census.notUnder(writeKey)
        let next = others.isEmpty && rewrite.errors.isEmpty
            ? (ring.stage == .newKeyWriting ? "`hardway encryption rotate \(file) --finish` drops the old keys" : "nothing")
            : "see above; run `hardway encryption rewrite \(file)` again once fixed"
        let report = Report(rewrite: rewrite, secrets: census.total, keys: options.keyRows(census, ring: ring), underOtherKeys: others.count,
                            seconds: Date().timeIntervalSince(started), next: next)
        try options.output.print(report) {
            options.printKeyRows(report.keys)
            Terminal.out()
            Terminal.out(String(format: "%d secrets rewritten in %d namespaces through %@ (%.1f s); etcd holds %d secrets",
                                rewrite.rewritten, rewrite.namespaces, rewrite.controller, report.seconds, census.total))
            if !rewrite.changedMeanwhile.isEmpty {
                Terminal.out("changed by others through every attempt (so written by an API server anyway): \(rewrite.changedMeanwhile.joined(separator: ", "))")
            }
            Terminal.out("next: \(next)")
        }
        if !rewrite.errors.isEmpty {
            throw CLIError("kubectl refused \(rewrite.errors.count) secret\(rewrite.errors.count == 1 ? "" : "s"): \(rewrite.errors.prefix(3).joined(separator: "; "))",
                           fix: "fix what kubectl says (an admission webhook, a namespace being deleted), then run `hardway encryption rewrite \(file)` again")
        }
        if !others.isEmpty {
            throw CLIError("\(others.count) secrets are still stored under another key than the write key \(writeKey): \(EncryptionOptions.describe(others))",
                           fix: "run `hardway encryption rewrite \(file)` again; a key not in the key ring cannot be read by any API server")
        }
    }
}

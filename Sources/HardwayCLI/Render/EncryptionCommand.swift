import ArgumentParser
import Foundation
import ClusterModel
import Render

struct EncryptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encryption",
        abstract: "the keys that encrypt secrets at rest",
        subcommands: [EncryptionStatus.self, EncryptionRotate.self]
    )
}

struct EncryptionOptions: ParsableArguments {
    @OptionGroup var cluster: ClusterFileOptions

    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("text or json", valueName: "format"))
    var output: OutputFormat = .text

    func load() throws -> (Cluster, EncryptionKeyFile, EncryptionKeyRing) {
        let resolved = try cluster.load(dir: directoryOptions.dir)
        let file = ClusterDirectory(cluster: resolved, dir: directoryOptions.dir, clusterFile: cluster.file).encryptionKeys
        guard let ring = try file.load() else {
            throw CLIError("there is no key ring at \(file.path) yet", fix: "run `hardway render -f \(cluster.file)` first: it makes the first key")
        }
        return (resolved, file, ring)
    }

    func report(_ ring: EncryptionKeyRing, file: EncryptionKeyFile, next: String) throws {
        switch output {
        case .json:
            try JSON.print(EncryptionReport(file: file.path, stage: ring.stage.rawValue,
                                            keys: ring.keys.enumerated().map { .init(name: $1.name, provider: $1.provider.rawValue, writes: $0 == 0) },
                                            next: next))
        case .text:
            var table = TextTable(["key", "provider", "role"])
            for (index, key) in ring.keys.enumerated() { table.add([key.name, key.provider.rawValue, index == 0 ? "writes and reads" : "reads"]) }
            Terminal.out(table.render())
            Terminal.out()
            Terminal.out("stage: \(ring.stage.rawValue)")
            Terminal.out("next: \(next)")
        }
    }

    func nextStep(_ ring: EncryptionKeyRing) -> String {
        let render = "`hardway render -f \(cluster.file)` and apply it to every controller (kube-apiserver restarts)"
        switch ring.stage {
        case .steady: return "nothing; `hardway encryption rotate -f \(cluster.file)` starts a rotation"
        case .newKeyReadable: return "\(render); then `hardway encryption rotate -f \(cluster.file)` makes the new key the write key"
        case .newKeyWriting: return "\(render); then rewrite every secret (`kubectl get secrets -A -o json | kubectl replace -f -`) and run `hardway encryption rotate -f \(cluster.file) --finish`"
        }
    }
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
        let (_, file, ring) = try options.load()
        try options.report(ring, file: file, next: options.nextStep(ring))
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

        Examples:
          hardway encryption rotate -f cluster.yaml
          hardway encryption rotate -f cluster.yaml --finish
        """
    )

    @OptionGroup var options: EncryptionOptions

    @Flag(help: "drop the old keys, once every secret was rewritten with the new one")
    var finish = false

    func run() async throws {
        let (cluster, file, ring) = try options.load()
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
            throw CLIError(error.message, fix: error.fix.replacingOccurrences(of: "`hardway encryption rotate", with: "`hardway encryption rotate -f \(options.cluster.file)"))
        }
        try file.save(next)
        try options.report(next, file: file, next: options.nextStep(next))
    }
}

import ArgumentParser
import Foundation
import Phases
import Render

/// `hardway encryption restore-key NAME`: a retired key back among the read keys.
struct EncryptionRestoreKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore-key",
        abstract: "bring a retired key back as a read key, so secrets it encrypted read again",
        usage: UsageLine.wrapped("hardway encryption restore-key", "[--file <file>] [--dir <dir>] [--output <format>] <name>"),
        discussion: """
        `encryption rotate --finish` keeps the keys it drops in <dir>/secrets/retired/. An etcd \
        snapshot from before that rotation holds secrets only such a key reads, and `etcd snapshot \
        restore` refuses it until the key is back. This puts the retired key back among the read keys \
        (the write key still writes): render and apply, restore, then `hardway encryption rewrite` \
        and `hardway encryption rotate --finish` retire it again.

        Examples:
          hardway encryption restore-key -f lab.yaml key1
          hardway render -f lab.yaml && sudo hardway apply -f lab.yaml
        """
    )

    @OptionGroup var options: EncryptionOptions

    @Argument(help: ArgumentHelp("the retired key's name, as `etcd snapshot restore` named it (key1)", valueName: "name"))
    var name: String

    func run() async throws {
        let (_, directory, ring) = try options.load()
        let file = directory.encryptionKeys
        let retired = file.retired().filter { $0.key.name == name }
        guard let found = retired.last else {
            let names = Set(file.retired().map(\.key.name)).sorted()
            throw CLIError("no retired key named \(name) in \(file.retiredDirectory)",
                           fix: names.isEmpty ? "a key is retired by `hardway encryption rotate --finish`; none was yet" : "use one of \(names.joined(separator: ", "))")
        }
        let next: EncryptionKeyRing
        do {
            next = try ring.readmitting(found.key)
        } catch let error as RenderError {
            throw CLIError(error.message, fix: error.fix)
        }
        try file.save(next)
        Terminal.err("\(name) (from \(found.file)) reads again once rendered and applied")
        try options.report(next, file: file, next: "`hardway render \(options.target)` and `hardway apply \(options.target)`; after a restore, `hardway encryption rewrite \(options.target)` and `hardway encryption rotate \(options.target) --finish` retire it again")
    }
}

import ArgumentParser
import Foundation
import Logging
import ClusterModel
import PKI

/// `hardway pki issue`: the whole PKI of a cluster, idempotently.
struct PKIIssue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "issue every certificate the cluster needs into <dir>/pki",
        usage: UsageLine.wrapped("hardway pki issue", "[--file <file>] [--dir <dir>] [--new-ca] [--renew <name> ...] [--dry-run] [--output <format>]"),
        discussion: """
        Files follow cfssljson's naming: NAME.pem, NAME-key.pem (0600), NAME.csr.

        Running it again is safe: valid certificates and keys are kept byte for byte, missing ones \
        are issued, and one that no longer fits the cluster file (a controller added, a SAN changed, \
        expiring within 30 days) is re-issued with the reason shown. A replaced file is first copied \
        to <dir>/pki/replaced/<time>/. The CAs are only replaced with --new-ca.

        Examples:
          hardway pki issue -f cluster.yaml
          hardway pki issue -f cluster.yaml --dir /srv/lab --dry-run
          hardway pki issue -f cluster.yaml --renew admin --renew kubelet-worker-0
          hardway pki issue -f cluster.yaml --output json | jq '.certificates[].name'
        """
    )

    @OptionGroup var cluster: ClusterFileOptions

    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    @Flag(help: "replace the CAs and re-issue every certificate (they must all be distributed again)")
    var newCA = false

    @Option(help: ArgumentHelp("re-issue this certificate with a new key (repeatable)", valueName: "name"))
    var renew: [String] = []

    @Flag(help: "show what would be issued, write nothing")
    var dryRun = false

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (resolved, directory) = try cluster.open(in: directoryOptions)
        let store = directory.pkiStore
        let profiles = ClusterCertificates.profiles(for: resolved)
        let logger = Logger(label: "hardway.pki")
        let started = Date()
        // A CA rotation's step 2: the leaves of the rotated CAs are issued again from the new ones.
        let rotation = try CARotation.load(store)
        let rotated = rotation?.stage == .newLeaves ? Set(rotation!.cas.map(\.ca)) : []
        let result = try await PKIIssuer.run(profiles: profiles, store: store,
                                             options: PKIIssueOptions(newCA: newCA, renew: Set(renew), dryRun: dryRun, rotated: rotated),
                                             now: started) { event in
            switch event {
            case .started(let total) where total > 0:
                Terminal.progress("issuing \(total) certificate\(total == 1 ? "" : "s")…")
            case .finished(let name, let done, let total):
                logger.debug("issued \(name)")
                Terminal.progress("issuing certificates: \(done)/\(total) (\(name))", done: done == total)
            default:
                break
            }
        }
        let elapsed = Date().timeIntervalSince(started)

        try output.print(IssueReport(directory: store.directory, result: result, seconds: elapsed, dryRun: dryRun)) {
            printText(result, store: store, elapsed: elapsed)
        }
        for note in result.notes { Terminal.warning(note) }
        if !result.failed.isEmpty {
            for entry in result.failed {
                Terminal.error("\(entry.name): \(entry.error?.message ?? entry.reasons.joined(separator: "; "))", fix: entry.error?.fix)
            }
            throw ExitCode(1)
        }
    }

    func printText(_ result: PKIIssueResult, store: PKIStore, elapsed: TimeInterval) {
        var table = TextTable(["NAME", "RESULT", "COMMON NAME", "EXPIRES", "WHY"])
        for entry in result.entries {
            table.add([entry.name, entry.outcome.rawValue, entry.commonName, entry.notAfter.map(UTCTime.day) ?? "-",
                       entry.reasons.joined(separator: "\n")])
        }
        Terminal.out(table.render())
        let counts = [PKIIssueResult.Outcome.issued, .reissued, .kept, .wouldIssue, .wouldReissue, .blocked, .failed]
            .compactMap { outcome -> String? in
                let count = result.count(outcome)
                return count == 0 ? nil : "\(count) \(outcome.rawValue)"
            }
        Terminal.out("")
        Terminal.out("\(result.entries.count) certificates in \(store.directory): \(counts.joined(separator: ", "))" +
                     (dryRun ? " (dry run: nothing written)" : String(format: " in %.1f s", elapsed)))
        if let backup = result.backupDirectory { Terminal.out("replaced files were copied to \(backup)") }
        if result.failed.isEmpty, !dryRun {
            Terminal.out("next: `hardway pki inspect \(store.directory)` to read them, `hardway pki check \(store.directory) -f \(cluster.file)` to verify them")
        }
    }
}

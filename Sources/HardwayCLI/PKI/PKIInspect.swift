import ArgumentParser
import Foundation
import PKI

/// `hardway pki inspect`: what each certificate says, in a table or JSON.
struct PKIInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "show subject, SANs, usages, key and expiry of certificates",
        discussion: """
        PATH is a PEM file or a directory of them (default: the current directory).

        Examples:
          hardway pki inspect lab/pki
          hardway pki inspect lab/pki/kube-apiserver.pem
          hardway pki inspect lab/pki -o json | jq '.[] | select(.daysLeft < 60)'
        """
    )

    @Argument(help: ArgumentHelp("a certificate file or a directory", valueName: "path"))
    var path: String = "."

    @OptionGroup var output: OutputOptions

    func run() throws {
        let directory = try PEMDirectory.read(path)
        let summaries = directory.summaries(now: Date())
        for file in directory.certificates where file.problem != nil { Terminal.warning(file.problem!) }
        try output.print(summaries) { try printTable(summaries) }
    }

    func printTable(_ summaries: [CertificateSummary]) throws {
        guard !summaries.isEmpty else {
            throw CLIError("no certificates in \(path)", fix: "give the directory that holds the .pem files, like ./<cluster>/pki")
        }
        var table = TextTable(["NAME", "SUBJECT", "SANS", "USAGES", "KEY", "EXPIRES", "DAYS LEFT"])
        for summary in summaries {
            let sans = summary.sans.map { $0.replacingOccurrences(of: "IP Address:", with: "").replacingOccurrences(of: "DNS:", with: "") }
                .map { $0.isEmpty ? "(empty!)" : $0 }
            table.add([summary.name, TextTable.wrap(summary.subject.components(separatedBy: ", "), width: 34),
                       sans.isEmpty ? "-" : TextTable.wrap(sans, width: 44), summary.usages, summary.key,
                       UTCTime.day(summary.notAfter), summary.daysLeft < 0 ? "expired" : String(summary.daysLeft)])
        }
        Terminal.out(table.render())
    }
}

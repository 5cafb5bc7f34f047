import Foundation
import PKI

/// `pki issue --output json`.
struct IssueReport: Encodable {
    struct Entry: Encodable {
        var name: String
        var purpose: String
        var commonName: String
        var result: String
        var reasons: [String]
        var notAfter: Date?
        var error: String?
        var fix: String?
    }

    var directory: String
    var dryRun: Bool
    var seconds: Double
    var certificates: [Entry]
    var notes: [String]
    var backupDirectory: String?

    init(directory: String, result: PKIIssueResult, seconds: Double, dryRun: Bool) {
        self.directory = directory
        self.dryRun = dryRun
        self.seconds = (seconds * 1000).rounded() / 1000
        self.certificates = result.entries.map {
            Entry(name: $0.name, purpose: $0.purpose, commonName: $0.commonName, result: $0.outcome.rawValue, reasons: $0.reasons,
                  notAfter: $0.notAfter, error: $0.error?.message, fix: $0.error?.fix)
        }
        self.notes = result.notes
        self.backupDirectory = result.backupDirectory
    }
}

import Foundation
import X509

/// The few things hardway reads from a certificate, in one place: swift-certificates throws for a
/// malformed extension and returns nil for an absent one, and hardway treats both as absent.
extension Certificate {
    var isCertificateAuthority: Bool {
        if case .isCertificateAuthority? = (try? extensions.basicConstraints) ?? nil { return true }
        return false
    }

    var keyUsageValue: KeyUsage? { (try? extensions.keyUsage) ?? nil }

    var extendedKeyUsages: [ExtendedKeyUsage.Usage] { ((try? extensions.extendedKeyUsage) ?? nil).map { Array($0) } ?? [] }

    var subjectAltNames: [SubjectAltName] { ((try? extensions.subjectAlternativeNames) ?? nil).map { $0.map(SubjectAltName.init) } ?? [] }
}

/// Paths as the user typed them: relative to the working directory when below it.
enum DisplayPath {
    static func relative(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        if path.hasPrefix(cwd + "/") { return String(path.dropFirst(cwd.count + 1)) }
        return path
    }
}

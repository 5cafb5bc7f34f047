import Testing
@testable import ClusterModel
import TestSupport

/// `binaries.mirror`: a files repository's base URL, from an untrusted cluster file.
@Suite struct BinariesMirrorTests {
    func resolve(_ mirror: String) -> Resolution {
        Fixture.resolve(Fixture.replacing("pki:", with: "binaries: { mirror: \"\(mirror)\" }\npki:"))
    }

    @Test func aPlainFilesRepositoryIsKeptWithoutItsTrailingSlash() throws {
        for (written, kept) in [("http://127.0.0.1:8080/download/", "http://127.0.0.1:8080/download"),
                                ("https://files.example.internal/mirror%20one", "https://files.example.internal/mirror%20one"),
                                ("http://[fd00::1]:8080", "http://[fd00::1]:8080")] {
            let resolution = resolve(written)
            #expect(resolution.diagnostics.isEmpty, "\(written): \(resolution.diagnostics)")
            #expect(resolution.cluster?.binaries.mirror == kept)
        }
        #expect(Fixture.resolve(Fixture.base).cluster?.binaries.mirror == nil)
    }

    @Test func anythingElseIsRefusedAtItsFieldPath() {
        let refused: [(String, String)] = [
            ("ftp://files.example.internal/x", "is not an http:// or https:// URL"),
            ("file:///srv/mirror", "is not an http:// or https:// URL"),
            ("files.example.internal/download", "is not an http:// or https:// URL"),
            ("http://files.example.internal/$(id)", "holds \"$\""),
            ("http://files.example.internal/a b", "holds \" \""),
            ("http://files.example.internal/x;reboot", "holds \";\""),
            ("http://files.example.internal/`id`", "holds \"`\""),
            ("http://user:secret@files.example.internal/", "carries credentials"),
            ("http://files.example.internal/?x=1", "has a query or fragment"),
            ("http://files.example.internal/../etc", "has a `.` or `..` path segment"),
            ("http://files.example.internal/%zz", "is not a %XX escape"),
            ("http:///download", "names no host"),
            ("http://:8080/download", "names no host"),
        ]
        for (url, reason) in refused {
            let resolution = resolve(url)
            let diagnostic = resolution.diagnostics.first { $0.path == "binaries.mirror" }
            #expect(diagnostic?.isError == true && diagnostic?.code == "invalid-value", "\(url): \(resolution.diagnostics)")
            #expect(diagnostic?.message.contains(reason) == true, "\(url): \(diagnostic?.message ?? "no diagnostic")")
            #expect(diagnostic?.fix?.contains("remove binaries.mirror") == true)
        }
        #expect(Cluster.Binaries.mirrorProblem("http://files.example.internal/x\ny") != nil, "a newline")
    }
}

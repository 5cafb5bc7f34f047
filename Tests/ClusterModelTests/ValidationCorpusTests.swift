import Testing
import Foundation
@testable import ClusterModel
import TestSupport

@Suite struct ValidationCorpusTests {
    @Test(arguments: BadInput.corpus.map { CorpusCase(input: $0) })
    func eachBadInputIsReportedAtItsField(_ corpusCase: CorpusCase) {
        let input = corpusCase.input
        let resolution = ClusterResolver.resolve(text: input.text)
        let match = resolution.diagnostics.first { $0.code == input.code && $0.path == input.path && $0.severity == input.severity }
        #expect(match != nil, "expected \(input.severity) \(input.code) at \(input.path), got: \(resolution.diagnostics.map { "\($0.severity) \($0.code) at \($0.path)" })")
        if let fix = input.fixMentions {
            #expect(match.map { ($0.fix ?? "").contains(fix) || $0.message.contains(fix) } == true, "the fix should mention \(fix): \(String(describing: match))")
        }
        #expect(match?.message.first?.isUppercase != true, "messages start lowercase")
        switch input.severity {
        case .error: #expect(resolution.cluster == nil, "an error must stop resolution")
        case .warning: #expect(resolution.cluster != nil && !resolution.diagnostics.hasErrors, "a warning must not fail: \(resolution.diagnostics.errors)")
        }
    }

    @Test(arguments: HostileInput.corpus.map { CorpusCase(input: $0) })
    func eachHostileValueIsRefusedAtItsField(_ corpusCase: CorpusCase) {
        let input = corpusCase.input
        let resolution = ClusterResolver.resolve(text: input.text)
        #expect(resolution.diagnostics.contains { $0.code == input.code && $0.path == input.path && $0.severity == .error },
                "expected \(input.code) at \(input.path), got: \(resolution.diagnostics.map { "\($0.severity) \($0.code) at \($0.path)" })")
        #expect(resolution.cluster == nil, "a hostile value must stop resolution")
    }

    @Test func theHostileCorpusCoversEverySSHFieldAndShellSyntax() {
        let texts = HostileInput.corpus.map(\.text).joined()
        #expect(HostileInput.corpus.count >= 20)
        for field in ["ssh.user", "ssh.bastion", "ssh.identityFile", "hosts[2].name", "hosts[2].address", "hosts[2].sshAddress", "name"] {
            #expect(HostileInput.corpus.contains { $0.path == field }, "\(field)")
        }
        for syntax in ["$(", "`", ";", "|", "\\n", "'-", "%"] { #expect(texts.contains(syntax), "\(syntax)") }
    }

    @Test func syntaxErrorsComeAlone() {
        let diagnostics = ClusterResolver.resolve(text: Fixture.replacing("  host: lb-0", with: "   host: lb-0\n  - oops")).diagnostics
        #expect(diagnostics.map(\.code) == ["yaml-syntax"])
        #expect(diagnostics.first?.line != nil)
    }

    @Test func everyProblemIsReportedAtOnce() {
        var text = Fixture.replacing("address: 10.240.0.21", with: "address: 10.240.0.300")
        text = text.replacingOccurrences(of: "serviceCIDR: 10.32.0.0/24", with: "serviceCIDR: 10.32.0.5/24")
        text = text.replacingOccurrences(of: "name: master-1,", with: "name: Master_1,")
        text = text.replacingOccurrences(of: "podCIDR: 10.200.0.0/16", with: "podCidr: 10.200.0.0/16")
        let codes = Set(ClusterResolver.resolve(text: text).diagnostics.errors.map(\.code))
        #expect(codes.isSuperset(of: ["invalid-ip", "invalid-cidr", "invalid-host-name", "unknown-key"]), "\(codes)")
    }

    /// Mangled variants of a valid file (lines dropped, characters swapped, values blanked) must
    /// be reported, never crash.
    @Test func mangledFilesNeverCrash() {
        let lines = Fixture.base.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var generator = SplitMix(seed: 20261121)
        var resolved = 0
        for _ in 0..<600 {
            var mangled = lines
            for _ in 0..<Int(generator.next() % 3 + 1) {
                let index = Int(generator.next() % UInt64(mangled.count))
                switch generator.next() % 6 {
                case 0: mangled.remove(at: index)
                case 1: mangled[index] = String(mangled[index].reversed())
                case 2: mangled[index] = mangled[index].replacingOccurrences(of: "0", with: "9")
                case 3: mangled[index] = mangled[index].replacingOccurrences(of: ":", with: "")
                case 4: mangled.insert(mangled[index], at: index)
                default: mangled[index] = String(mangled[index].prefix(Int(generator.next() % 20)))
                }
                if mangled.isEmpty { mangled = [""] }
            }
            let resolution = ClusterResolver.resolve(text: mangled.joined(separator: "\n"))
            if resolution.cluster != nil { resolved += 1 }
            for diagnostic in resolution.diagnostics where diagnostic.isError {
                #expect(!diagnostic.message.isEmpty && diagnostic.fix?.isEmpty == false, "\(diagnostic)")
            }
        }
        #expect(resolved < 600, "some mangled files must be rejected")
    }
}

/// A corpus entry named in test reports.
struct CorpusCase: Sendable, CustomTestStringConvertible {
    var input: BadInput
    var testDescription: String { input.name }
}

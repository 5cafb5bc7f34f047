import ArgumentParser
@testable import HardwayCLI
import Testing

/// Every command's `--help` as an 80-column terminal shows it: nothing wider, no paragraph broken
/// by a line break of the source, no example that wraps, and a usage line that names every option.
@Suite struct HelpTextTests {
    static let columns = 80

    /// `hardway` and every command under it, by its words (`pki sign`).
    static func commands(_ command: any ParsableCommand.Type = HardwayCommand.self, words: [String] = []) -> [(String, any ParsableCommand.Type)] {
        [(words.joined(separator: " "), command)] + command.configuration.subcommands.flatMap { sub in
            commands(sub, words: words + [sub.configuration.commandName ?? "?"])
        }
    }

    @Test func everyCommandsHelpReadsCleanlyAt80Columns() {
        let commands = Self.commands()
        #expect(commands.count > 30, "the walk found every command")
        var problems: [String] = []
        for (words, command) in commands {
            let help = HardwayCommand.helpMessage(for: command, columns: Self.columns)
            problems += HelpLayout.problems(help, columns: Self.columns).map { "hardway \(words) --help: \($0)" }
        }
        #expect(problems.isEmpty, "\(problems.count) problems:\n\(problems.joined(separator: "\n"))")
    }

    /// The rules on the old `pki sign --help`, whose discussion was broken by hand near 100 columns.
    @Test func theRulesCatchAHandWrappedDiscussion() {
        struct OldSign: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "sign",
                abstract: "sign a cfssl CSR JSON file as cfssl gencert | cfssljson -bare would",
                discussion: """
                Takes the tutorials' cfssl files unchanged and writes NAME.pem, NAME-key.pem (0600) and NAME.csr,
                where NAME is --bare or the CSR file's name without -csr.json. Stricter than cfssl where cfssl
                hides mistakes: an unknown -profile is an error (cfssl silently uses the default), and an
                empty host (an unset shell variable) is refused instead of becoming `DNS:`.

                Examples:
                  hardway pki sign --initca ca-csr.json
                  hardway pki sign --ca ca.pem --ca-key ca-key.pem --config ca-config.json --profile kubernetes admin-csr.json
                """
            )
            @Option(help: ArgumentHelp("the CA certificate", valueName: "file"))
            var ca: String?
            @Option(name: .customLong("ca-key"), help: ArgumentHelp("the CA private key", valueName: "file"))
            var caKey: String?
            @Option(help: ArgumentHelp("cfssl signing configuration (ca-config.json); cfssl's defaults without it", valueName: "file"))
            var config: String?
            @Option(help: ArgumentHelp("the signing profile in --config (default: signing.default)", valueName: "name"))
            var profile: String?
            @Option(help: ArgumentHelp("comma-separated names and addresses; replaces the CSR's hosts", valueName: "list"))
            var hostname: String?
            @Argument(help: ArgumentHelp("the CSR JSON file", valueName: "csr.json"))
            var csr: String
        }
        let problems = HelpLayout.problems(OldSign.helpMessage(columns: Self.columns), columns: Self.columns)
        #expect(problems.contains { $0.contains("ends before the line is full") && $0.contains("(0600) and NAME.csr,") }, "\(problems)")
        #expect(problems.contains { $0.contains("continues an indented line") && $0.contains("--profile kubernetes admin-csr.json") }, "\(problems)")
        #expect(problems.contains { $0.contains("wider than 80 columns") && $0.contains("USAGE: sign") }, "\(problems)")
    }

    @Test func aCleanHelpPasses() {
        let help = """
        OVERVIEW: a paragraph that ArgumentParser wrapped itself, every line as full as
        the next word allows, ends wherever it ends.

        Examples:
          hardway x --y
          hardway x --z

        USAGE: hardway x [--y] [--z]

        OPTIONS:
          --y                     why
          --z                     why not
          -h, --help              Show help information.
        """
        #expect(HelpLayout.problems(help, columns: 80) == [])
    }
}

/// The rules a help text meets at a width. ArgumentParser wraps the overview and discussion
/// greedily but keeps the source's own line breaks, and indents nothing it wraps: so a line that
/// ends before the next word would have filled it is a line break of the source inside a
/// paragraph, and an unindented line straight after an indented one is an example that wrapped.
enum HelpLayout {
    static func problems(_ help: String, columns: Int) -> [String] {
        var problems: [String] = []
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for line in lines where line.count > columns {
            problems.append("wider than \(columns) columns (\(line.count)): \(line)")
        }
        let overview = lines.prefix { !$0.hasPrefix("USAGE:") }
        for (line, next) in zip(overview, overview.dropFirst()) where !line.isEmpty && !next.isEmpty {
            let indent = line.prefix { $0 == " " }.count
            let nextIndent = next.prefix { $0 == " " }.count
            if indent == 0 && nextIndent == 0 {
                let word = next.prefix { $0 != " " }
                if line.count + 1 + word.count < columns {
                    problems.append("a line ends before the line is full, inside a paragraph (\"\(word)\" fitted): \(line)")
                }
            } else if indent > 0 && nextIndent == 0 {
                problems.append("a line continues an indented line (an example or list item that wrapped): \(line) / \(next)")
            }
        }
        problems += usageProblems(lines)
        return problems
    }

    /// The usage line, when written by hand to fit, must still name every option and argument, and
    /// nothing else.
    static func usageProblems(_ lines: [String]) -> [String] {
        guard let start = lines.firstIndex(where: { $0.hasPrefix("USAGE:") }) else { return ["no USAGE line"] }
        let usage = lines[start...].prefix { !$0.isEmpty }.joined(separator: " ")
        let usageWords = Set(usage.split(whereSeparator: { " []".contains($0) }).map(String.init))
        var problems: [String] = []
        var listed = Set<String>()
        var section = ""
        for line in lines[start...] {
            if !line.hasPrefix(" ") && line.hasSuffix(":") { section = line; continue }
            guard section == "OPTIONS:" || section == "ARGUMENTS:", line.hasPrefix("  -") || line.hasPrefix("  <") else { continue }
            // "  -f, --file <file>       the cluster file": the names come before the first double space.
            let entry = line.dropFirst(2).components(separatedBy: "  ")[0]
            let names = entry.split(separator: ",").compactMap { $0.split(separator: " ").first.map(String.init) }
            listed.formUnion(names)
            if names.contains("--help") || names.contains("--version") { continue }
            if !names.contains(where: usageWords.contains) { problems.append("the usage line does not name \(entry): \(usage)") }
        }
        for word in usageWords.sorted() where word.hasPrefix("-") && word != "--" && !listed.contains(word) {
            problems.append("the usage line names \(word), which is not an option: \(usage)")
        }
        return problems
    }
}

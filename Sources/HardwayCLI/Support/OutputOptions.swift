import ArgumentParser

/// `-o, --output FORMAT`: a command's report as text for people or as JSON for scripts, declared
/// once for every command that prints one. (`etcd snapshot save` takes a path there too: its own.)
struct OutputOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("text or json", valueName: "format"))
    var format: OutputFormat = .text

    /// Prints `report` as JSON, or runs `text` to print it for people.
    func print<Report: Encodable>(_ report: Report, text: () throws -> Void) throws {
        switch format {
        case .json: try JSON.print(report)
        case .text: try text()
        }
    }
}

/// What `--output` takes.
enum OutputFormat: String, CaseIterable, Sendable, ExpressibleByArgument {
    case text, json
}

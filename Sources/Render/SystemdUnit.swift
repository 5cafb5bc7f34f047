/// A command line as a unit's `ExecStart` holds it: one flag per continued line, so a person can
/// read it and a test can take it apart again.
public struct UnitCommand: Sendable, Equatable {
    public var program: String
    /// `(name, value)`: rendered `--name=value`.
    public var flags: [(String, String)]

    public init(_ program: String, _ flags: [(String, String)]) {
        self.program = program
        self.flags = flags
    }

    public static func == (lhs: UnitCommand, rhs: UnitCommand) -> Bool {
        lhs.program == rhs.program && lhs.flags.map { "\($0.0)=\($0.1)" } == rhs.flags.map { "\($0.0)=\($0.1)" }
    }

    public var flagNames: [String] { flags.map(\.0) }

    /// Adds a flag at its place in the (alphabetical) list.
    mutating func insert(_ flag: (String, String)) {
        let index = flags.firstIndex { $0.0 > flag.0 } ?? flags.count
        flags.insert(flag, at: index)
    }

    var rendered: String {
        ([program] + flags.map { "--\($0.0)=\($0.1)" }).joined(separator: " \\\n  ")
    }
}

/// A systemd service unit; every unit hardway writes goes through this one shape.
struct SystemdUnit {
    var description: String
    var documentation: String?
    var after: [String] = ["network-online.target"]
    var wants: [String] = ["network-online.target"]
    var requires: [String] = []
    var type: String?
    var comments: [String] = []
    var execStart: [String]
    var execStop: [String] = []
    var service: [String] = ["Restart=on-failure", "RestartSec=5"]

    init(description: String, documentation: String? = nil, type: String? = nil, command: UnitCommand, comments: [String] = []) {
        self.description = description
        self.documentation = documentation
        self.type = type
        self.execStart = [command.rendered]
        self.comments = comments
    }

    init(description: String, oneshot execStart: [String], execStop: [String]) {
        self.description = description
        self.type = "oneshot"
        self.execStart = execStart
        self.execStop = execStop
        self.service = ["RemainAfterExit=yes"]
    }

    var rendered: String {
        var lines = ["# written by hardway", "[Unit]", "Description=\(description)"]
        if let documentation { lines.append("Documentation=\(documentation)") }
        if !after.isEmpty { lines.append("After=\(after.joined(separator: " "))") }
        if !wants.isEmpty { lines.append("Wants=\(wants.joined(separator: " "))") }
        if !requires.isEmpty { lines.append("Requires=\(requires.joined(separator: " "))") }
        lines += ["", "[Service]"]
        if let type { lines.append("Type=\(type)") }
        lines += comments.map { "# \($0)" }
        lines += execStart.map { "ExecStart=\($0)" }
        lines += execStop.map { "ExecStop=\($0)" }
        lines += service
        lines += ["", "[Install]", "WantedBy=multi-user.target", ""]
        return lines.joined(separator: "\n")
    }
}

extension UnitCommand {
    /// Reads back the command of a unit's first `ExecStart` (continuation lines joined):
    /// how the tests run exactly what was rendered.
    public static func parseExecStart(unit: String) -> (program: String, arguments: [String])? {
        var joined = ""
        var collecting = false
        for line in unit.split(separator: "\n", omittingEmptySubsequences: false) {
            var text = String(line.drop { $0 == " " })
            if !collecting {
                guard text.hasPrefix("ExecStart=") else { continue }
                text = String(text.dropFirst("ExecStart=".count))
                collecting = true
            }
            if text.hasSuffix("\\") {
                joined += text.dropLast() + " "
            } else {
                joined += text
                break
            }
        }
        let words = joined.split(separator: " ").map(String.init)
        guard let program = words.first else { return nil }
        return (program, Array(words.dropFirst()))
    }
}

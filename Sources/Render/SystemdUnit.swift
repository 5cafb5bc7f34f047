import Foundation

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
    /// `EnvironmentFile=` lines, in order (a later file's settings win); `-` in front: may be missing.
    var environmentFiles: [String] = []
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

    /// Appended line by line into one string: the pod routes unit of a large cluster has two lines
    /// per worker, and every node has one.
    var rendered: String {
        var text = ""
        text.reserveCapacity([execStart, execStop, service, comments].reduce(256) { $0 + $1.reduce(0) { $0 + $1.utf8.count + 12 } })
        func line(_ start: String = "", _ rest: String = "") {
            text += start
            text += rest
            text += "\n"
        }
        line("# written by hardway")
        line("[Unit]")
        line("Description=", description)
        if let documentation { line("Documentation=", documentation) }
        if !after.isEmpty { line("After=", after.joined(separator: " ")) }
        if !wants.isEmpty { line("Wants=", wants.joined(separator: " ")) }
        if !requires.isEmpty { line("Requires=", requires.joined(separator: " ")) }
        line()
        line("[Service]")
        if let type { line("Type=", type) }
        for comment in comments { line("# ", comment) }
        for file in environmentFiles { line("EnvironmentFile=", file) }
        for command in execStart { line("ExecStart=", command) }
        for command in execStop { line("ExecStop=", command) }
        for setting in service { line(setting) }
        line()
        line("[Install]")
        line("WantedBy=multi-user.target")
        return text
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

extension UnitCommand {
    /// The `KEY=value` lines of an environment file as systemd reads the simple ones: comments and
    /// blank lines skipped, a later key winning.
    public static func parseEnvironmentFile(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), !trimmed.hasPrefix(";"),
                  let equals = trimmed.firstIndex(of: "=") else { continue }
            values[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
        }
        return values
    }

    /// `${NAME}` in each argument replaced by its value, as systemd does for ExecStart; an unset
    /// name becomes empty.
    public static func expand(_ arguments: [String], environment: [String: String]) -> [String] {
        arguments.map { argument in
            var result = "", rest = Substring(argument)
            while let open = rest.range(of: "${"), let close = rest[open.upperBound...].firstIndex(of: "}") {
                result += rest[..<open.lowerBound]
                result += environment[String(rest[open.upperBound..<close])] ?? ""
                rest = rest[rest.index(after: close)...]
            }
            return result + rest
        }
    }
}

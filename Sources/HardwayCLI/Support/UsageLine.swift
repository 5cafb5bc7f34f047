/// ArgumentParser prints a command's usage as one line however long it is, so a command with many
/// options gets its usage wrapped here to fit 80 columns, the way man pages do: an option group is
/// never split, and the lines after the first start under the first option.
enum UsageLine {
    static let columns = 80
    /// ArgumentParser puts `USAGE: ` before the first line and indents the others as far.
    static let prefix = 7

    /// `command` followed by `synopsis` (the options as ArgumentParser writes them: `[--dir <dir>]`).
    static func wrapped(_ command: String, _ synopsis: String) -> String {
        let indent = String(repeating: " ", count: command.count)
        var lines: [String] = []
        var line = command
        for group in groups(synopsis) {
            // A line holds at least one group, even one too wide for it.
            if prefix + line.count + 1 + group.count > columns, line.count > indent.count {
                lines.append(line)
                line = indent
            }
            line += " " + group
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }

    /// The synopsis split at the spaces outside brackets: `[--renew <name> ...]` stays one group.
    static func groups(_ synopsis: String) -> [String] {
        var groups: [String] = []
        var current = ""
        var depth = 0
        for character in synopsis {
            switch character {
            case "[", "<": depth += 1
            case "]", ">": depth -= 1
            case " " where depth == 0:
                if !current.isEmpty { groups.append(current) }
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        if !current.isEmpty { groups.append(current) }
        return groups
    }
}

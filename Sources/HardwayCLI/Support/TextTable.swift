import Foundation

/// Columns separated by two spaces; a cell may hold several lines.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []
    var showHeader = true

    init(_ headers: [String], showHeader: Bool = true) {
        self.headers = headers
        self.showHeader = showHeader
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        let all = showHeader ? [headers] + rows : rows
        let split = all.map { row in row.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } }
        var widths = Array(repeating: 0, count: all.map(\.count).max() ?? 0)
        for row in split {
            for (index, lines) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], lines.map(\.count).max() ?? 0)
            }
        }
        var output: [String] = []
        for row in split {
            let height = row.map(\.count).max() ?? 1
            for lineIndex in 0..<height {
                var line = ""
                for (index, lines) in row.enumerated() {
                    let text = lineIndex < lines.count ? lines[lineIndex] : ""
                    line += index == row.count - 1 ? text : text.padding(toLength: widths[index] + 2, withPad: " ", startingAt: 0)
                }
                output.append(line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
            }
        }
        return output.joined(separator: "\n")
    }

    /// Joins items into lines no longer than `width`, for a multi-line cell.
    static func wrap(_ items: [String], width: Int, separator: String = ", ") -> String {
        var lines: [String] = []
        var current = ""
        for item in items {
            let candidate = current.isEmpty ? item : current + separator + item
            if candidate.count > width, !current.isEmpty {
                lines.append(current + separator.trimmingCharacters(in: .whitespaces))
                current = item
            } else {
                current = candidate
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines.joined(separator: "\n")
    }
}

/// A cluster file read from YAML: the spec, what was wrong with its shape (unknown keys, wrong
/// types, bad syntax), and the line of every field so later checks can point at it.
public struct ParsedClusterFile: Sendable {
    public var spec: ClusterSpec
    public var diagnostics: [Diagnostic]
    /// Field path → 1-based line of its key.
    public var lines: [String: Int]

    /// The line of `path` or of its nearest enclosing field (`hosts[2].address` → `hosts[2]` → `hosts`).
    public func line(for path: String) -> Int? {
        var current = path
        while !current.isEmpty {
            if let line = lines[current] { return line }
            if current.hasSuffix("]"), let open = current.lastIndex(of: "[") {
                current = String(current[..<open])
            } else if let dot = current.lastIndex(of: ".") {
                current = String(current[..<dot])
            } else {
                return nil
            }
        }
        return nil
    }
}

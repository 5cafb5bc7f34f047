import Yams

/// Reads a cluster file's YAML into a `ClusterSpec` by the table of `ClusterFileFields`, collecting
/// a diagnostic for every shape problem and the line of every key.
struct SpecReader {
    var diagnostics: [Diagnostic] = []
    var lines: [String: Int] = [:]

    mutating func read(_ text: String) -> ClusterSpec {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            report(yamlError: error)
            return ClusterSpec()
        }
        guard let root else {
            diagnostics.append(.error("empty-file", at: "", "the cluster file is empty",
                                      fix: "run `hardway init` to write a commented example"))
            return ClusterSpec()
        }
        return read(root, at: "", fields: ClusterFileFields.top) ?? ClusterSpec()
    }

    /// A mapping read field by field, in the table's order; nil (and a diagnostic) when `node` is
    /// not a mapping. Keys the table does not name are reported.
    mutating func read<Value: SpecSection>(_ node: Node, at path: String, fields table: [SpecField<Value>]) -> Value? {
        guard let map = fields(node, at: path, allowed: table.map(\.key)) else { return nil }
        var value = Value()
        for field in table {
            field.read(&self, map[field.key], path.isEmpty ? field.key : "\(path).\(field.key)", &value)
        }
        return value
    }


    // MARK: - node access

    /// The fields of a mapping node, reporting unknown keys; nil (and a diagnostic) when not a mapping.
    mutating func fields(_ node: Node, at path: String, allowed: [String]) -> [String: Node]? {
        if isNull(node) { return [:] }
        guard case .mapping(let mapping) = node else {
            typeError(node, at: path.isEmpty ? "" : path, expected: "a mapping of fields (key: value)")
            return nil
        }
        var result: [String: Node] = [:]
        for (key, value) in mapping {
            guard case .scalar(let keyScalar) = key else {
                diagnostics.append(error("wrong-type", at: path, "a key is not plain text", node: key,
                                         fix: "write keys as plain words: \(allowed.prefix(3).joined(separator: ", "))"))
                continue
            }
            let name = keyScalar.string
            let childPath = path.isEmpty ? name : "\(path).\(name)"
            lines[childPath] = key.mark?.line
            guard allowed.contains(name) else {
                let known = "known fields here: \(allowed.joined(separator: ", "))"
                let fix = Self.closest(to: name, in: allowed).map { "did you mean `\($0)`? \(known)" } ?? "remove it; \(known)"
                diagnostics.append(error("unknown-key", at: childPath, "unknown field `\(name)`", node: key, fix: fix))
                continue
            }
            result[name] = value
        }
        return result
    }

    mutating func sequence(_ node: Node, at path: String) -> [Node]? {
        if isNull(node) { return [] }
        guard case .sequence(let sequence) = node else {
            typeError(node, at: path, expected: "a list")
            return nil
        }
        return Array(sequence)
    }

    mutating func string(_ node: Node?, at path: String) -> String? {
        guard let node, !isNull(node) else { return nil }
        guard case .scalar(let scalar) = node else {
            typeError(node, at: path, expected: "a single value")
            return nil
        }
        return scalar.string
    }

    mutating func int(_ node: Node?, at path: String) -> Int? {
        guard let node, !isNull(node) else { return nil }
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            typeError(node, at: path, expected: "a whole number")
            return nil
        }
        return value
    }

    mutating func bool(_ node: Node?, at path: String) -> Bool? {
        guard let node, !isNull(node) else { return nil }
        guard case .scalar(let scalar) = node, ["true", "false"].contains(scalar.string) else {
            typeError(node, at: path, expected: "true or false")
            return nil
        }
        return scalar.string == "true"
    }

    mutating func stringList(_ node: Node?, at path: String) -> [String]? {
        guard let node, !isNull(node) else { return nil }
        switch node {
        case .sequence(let sequence):
            var values: [String] = []
            for (index, item) in sequence.enumerated() {
                if let value = string(item, at: "\(path)[\(index)]") { values.append(value) } else if isNull(item) {
                    diagnostics.append(error("empty-value", at: "\(path)[\(index)]", "list entry is empty", node: item,
                                             fix: "remove the empty entry or give it a value"))
                }
            }
            return values
        case .scalar(let scalar):
            diagnostics.append(error("wrong-type", at: path, "expected a list, found \(Self.describe(node))", node: node,
                                     fix: "write it as a list: [\(scalar.string)]"))
            return nil
        default:
            typeError(node, at: path, expected: "a list")
            return nil
        }
    }

    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    mutating func typeError(_ node: Node, at path: String, expected: String) {
        diagnostics.append(error("wrong-type", at: path, "expected \(expected), found \(Self.describe(node))", node: node,
                                 fix: "see `hardway init` for the format of this field"))
    }

    func error(_ code: String, at path: String, _ message: String, node: Node, fix: String) -> Diagnostic {
        Diagnostic(.error, code, at: path, message, fix: fix, line: node.mark?.line)
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return "\"\(scalar.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    mutating func report(yamlError: any Error) {
        var line: Int?
        var problem = "\(yamlError)"
        if let yaml = yamlError as? YamlError {
            switch yaml {
            case .scanner(_, let text, let mark, _), .parser(_, let text, let mark, _), .composer(_, let text, let mark, _):
                problem = text
                line = mark.line
            case .duplicatedKeysInMapping(let duplicates, let context):
                problem = "the key \(duplicates.map { "`\($0)`" }.joined(separator: ", ")) appears more than once"
                line = context.mark.line
            default:
                break
            }
        }
        diagnostics.append(Diagnostic(.error, "yaml-syntax", at: "", "the file is not valid YAML: \(problem)",
                                      fix: "fix the YAML at that line (indentation with spaces, `key: value`)", line: line))
    }

    /// The allowed key a typo most likely meant: same letters ignoring case, or at most two edits away.
    static func closest(to name: String, in candidates: [String]) -> String? {
        if let exact = candidates.first(where: { $0.lowercased() == name.lowercased() }) { return exact }
        let scored = candidates.map { ($0, editDistance(name.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2 else { return nil }
        return best.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

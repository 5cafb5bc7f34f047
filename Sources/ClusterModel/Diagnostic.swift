/// One problem found in a cluster file: where (field path and line), what, and what to do.
/// Validation collects every diagnostic before anything is reported, so a user fixes a file in one pass.
public struct Diagnostic: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable { case error, warning }

    public var severity: Severity
    /// Stable identifier of the rule, for scripts and tests (`invalid-cidr`, `unknown-key`, ...).
    public var code: String
    /// Field path in the cluster file: `hosts[2].address`, `network.podCIDR`; empty for the whole file.
    public var path: String
    public var message: String
    /// The next step for the user.
    public var fix: String?
    /// 1-based line in the cluster file, when known.
    public var line: Int?

    public init(_ severity: Severity, _ code: String, at path: String, _ message: String, fix: String? = nil, line: Int? = nil) {
        self.severity = severity
        self.code = code
        self.path = path
        self.message = message
        self.fix = fix
        self.line = line
    }

    public static func error(_ code: String, at path: String, _ message: String, fix: String? = nil) -> Diagnostic {
        Diagnostic(.error, code, at: path, message, fix: fix)
    }

    public static func warning(_ code: String, at path: String, _ message: String, fix: String? = nil) -> Diagnostic {
        Diagnostic(.warning, code, at: path, message, fix: fix)
    }

    public var isError: Bool { severity == .error }

    /// `error: cluster.yaml:12: hosts[2].address: "172.31.0.300" is not an IPv4 address; fix: ...`
    public func formatted(file: String? = nil) -> String {
        var location = ""
        if let file { location += file + ":" }
        if let line { location += "\(line):" }
        if !location.isEmpty { location += " " }
        let field = path.isEmpty ? "" : "\(path): "
        let next = fix.map { "; \($0)" } ?? ""
        return "\(severity.rawValue): \(location)\(field)\(message)\(next)"
    }

    public var description: String { formatted() }
}

extension Array where Element == Diagnostic {
    public var errors: [Diagnostic] { filter(\.isError) }
    public var warnings: [Diagnostic] { filter { !$0.isError } }
    public var hasErrors: Bool { contains(where: \.isError) }
}

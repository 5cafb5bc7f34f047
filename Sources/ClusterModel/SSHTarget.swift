/// What the cluster file's ssh fields may hold. They reach ssh's arguments and, through the
/// bastion's ProxyCommand, a shell: each is parsed into what it can mean and nothing else.
public struct SSHTarget: Sendable, Equatable {
    public var user: String?
    public var host: String
    public var port: Int?

    /// `[user@]host[:port]`, the host a DNS name or an IPv4 address; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        var rest = Substring(text)
        if parts.count == 2 {
            guard Self.isLoginName(String(parts[0])) else { return nil }
            user = String(parts[0])
            rest = parts[1]
        }
        if let colon = rest.lastIndex(of: ":") {
            guard let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port),
                  rest[rest.index(after: colon)...].allSatisfy(\.isASCII) else { return nil }
            self.port = port
            rest = rest[..<colon]
        }
        let host = String(rest)
        guard IPv4Address(host) != nil || (DNSName.isHostName(host) && !host.hasPrefix("*")) else { return nil }
        self.host = host
    }

    /// A login name: letters, digits, `_` and `-`, never a leading `-` (ssh would read it as an
    /// option), at most 32 characters.
    public static func isLoginName(_ text: String) -> Bool {
        guard (1...32).contains(text.utf8.count), let first = text.first, first != "-" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    /// Why a path cannot be an identity file (control characters, ssh's `%` tokens, a leading
    /// `-`), or nil when it can.
    public static func identityFileProblem(_ path: String) -> String? {
        if path.isEmpty { return "is empty" }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) { return "holds control characters" }
        if path.contains("%") { return "holds '%', which ssh reads as one of its tokens" }
        if path.hasPrefix("-") { return "starts with '-', which ssh reads as an option" }
        return nil
    }
}

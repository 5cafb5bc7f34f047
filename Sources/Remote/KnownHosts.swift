import Foundation

/// The text of the cluster's `known_hosts` (`<dir>/ssh/known_hosts`), which every ssh hardway runs
/// checks host keys against strictly. Pure: the lab and `infra apply` read the file, call these, and
/// write the result atomically. The format is OpenSSH's (sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT"):
/// `names keytype base64 [comment]`, names comma-separated, `[name]:port` off port 22.
public enum KnownHosts {
    /// How ssh looks a host up: the name itself on port 22, `[name]:port` on any other.
    public static func name(_ host: String, port: Int) -> String {
        port == 22 ? host : "[\(host)]:\(port)"
    }

    /// The host a name stands for, without brackets or port.
    public static func host(of name: Substring) -> String {
        name.hasPrefix("[") ? String(name.dropFirst().prefix { $0 != "]" }) : String(name)
    }

    /// One line: the names, the key (`type base64`, anything after it dropped), and a comment.
    public static func line(names: [String], key: String, comment: String? = nil) -> String {
        let key = key.split(whereSeparator: \.isWhitespace).prefix(2).joined(separator: " ")
        return "\(names.joined(separator: ",")) \(key)" + (comment.map { " \($0)" } ?? "")
    }

    /// The text without the lines naming any of `hosts` (on any port), then `adding`. Comments and
    /// marker lines (`@cert-authority`, `@revoked`) are kept; blank lines go.
    public static func merged(_ existing: String, removing hosts: Set<String>, adding lines: [String]) -> String {
        let kept = existing.split(separator: "\n", omittingEmptySubsequences: true).map(String.init).filter { line in
            guard let field = line.split(separator: " ").first, !line.hasPrefix("#") else { return true }
            return !field.split(separator: ",").contains { hosts.contains(host(of: $0)) }
        }
        return (kept + lines).map { $0 + "\n" }.joined()
    }

    /// The keys (`type base64`) the text holds for exactly this name (`name(host, port:)`), as ssh
    /// would find them. Hashed names (`|1|…`, from `ssh-keyscan -H`) and marker lines are not read.
    public static func keys(for name: String, in text: String) -> Set<String> {
        var keys: Set<String> = []
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") && !line.hasPrefix("@") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3, fields[0].split(separator: ",").contains(where: { $0 == name }) else { continue }
            keys.insert("\(fields[1]) \(fields[2])")
        }
        return keys
    }
}

import Foundation

extension Cluster.Binaries {
    /// What is wrong with a mirror URL (`binaries.mirror`, `--mirror`), or nil when it is fit to put
    /// an upstream host and path after. The cluster file is untrusted input and the URL reaches curl
    /// and every progress line, so only the characters a plain files repository needs pass: an
    /// http(s) scheme, a host, an optional port and path; no credentials, query, fragment, spaces,
    /// quotes or shell metacharacters, and no `.`/`..` segments that would walk off the layout.
    public static func mirrorProblem(_ url: String) -> String? {
        let lowered = url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            return "is not an http:// or https:// URL"
        }
        guard url.count <= 2048 else { return "is longer than 2048 characters" }
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/%[]")
        if let bad = url.unicodeScalars.first(where: { !allowed.contains($0) }) {
            switch bad {
            case "@": return "carries credentials (user@host); serve the mirror without them in the URL"
            case "?", "#": return "has a query or fragment, which the files' paths cannot follow"
            default: return "holds \(String(Character(bad)).debugDescription), which a files repository's URL does not need"
            }
        }
        let afterScheme = url[url.range(of: "://")!.upperBound...]
        let host = afterScheme.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard !host.isEmpty, !host.hasPrefix(":"), URL(string: url)?.host?.isEmpty == false else { return "names no host" }
        let segments = afterScheme.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if segments.contains(where: { $0 == "." || $0 == ".." }) { return "has a `.` or `..` path segment" }
        var scalars = Array(url.unicodeScalars)[...]
        while let percent = scalars.firstIndex(of: "%") {
            let escape = scalars[(percent + 1)...].prefix(2)
            guard escape.count == 2, escape.allSatisfy({ CharacterSet(charactersIn: "0123456789abcdefABCDEF").contains($0) }) else {
                return "has a `%` that is not a %XX escape"
            }
            scalars = scalars[(percent + 3)...]
        }
        return nil
    }

    /// The mirror as files' paths are appended to it: without trailing slashes.
    public static func normalizedMirror(_ url: String) -> String {
        var text = Substring(url)
        while text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }
}

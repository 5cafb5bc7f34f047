/// Rules for names that end up in DNS, certificates and Kubernetes objects.
public enum DNSName {
    /// An RFC 1123 label as Kubernetes requires for node names: lowercase letters, digits and
    /// hyphens, starting and ending with a letter or digit, at most 63 characters.
    public static func isLabel(_ text: String) -> Bool {
        guard (1...63).contains(text.utf8.count), let first = text.first, let last = text.last else { return false }
        func alnum(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }
        return alnum(first) && alnum(last) && text.allSatisfy { alnum($0) || $0 == "-" }
    }

    /// A host name for a certificate SAN: dot-separated labels (upper case allowed, DNS is case
    /// insensitive), at most 253 characters, optionally starting with a `*.` wildcard label.
    public static func isHostName(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        var labels = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if labels.count > 1, labels.first == "*" { labels.removeFirst() }
        return labels.allSatisfy { isLabel($0.lowercased()) }
    }

    /// A suggestion for a name that is not a label: lowercased, other characters turned to hyphens.
    public static func suggestedLabel(for text: String) -> String {
        var mapped = String(text.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
        while mapped.hasPrefix("-") { mapped.removeFirst() }
        while mapped.hasSuffix("-") { mapped.removeLast() }
        return String(mapped.prefix(63))
    }
}

/// Quotes a word for sh: single quotes, with embedded single quotes closed and reopened. Every
/// word hardway hands to a shell — a remote script, ssh's ProxyCommand, a local `sh -c` — whatever
/// it holds, goes through here.
public func shellQuote(_ word: String) -> String {
    "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

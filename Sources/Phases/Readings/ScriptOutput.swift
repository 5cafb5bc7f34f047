/// What hardway's own scripts print on a host, read back.
enum ScriptOutput {
    /// `key=value` lines → a dictionary (the facts a script prints; later keys win).
    static func keyValues(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        return values
    }
}

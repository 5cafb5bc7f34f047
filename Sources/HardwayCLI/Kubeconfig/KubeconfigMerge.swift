import Yams

/// Adds one kubeconfig's cluster, user and context to another, replacing entries of the same name
/// and keeping everything else, as `kubectl config` would.
enum KubeconfigMerge {
    static func merge(_ addition: String, into existing: String, file: String) throws -> String {
        let parsed: Node?
        do {
            parsed = try Yams.compose(yaml: existing)
        } catch {
            throw CLIError("\(file) is not a kubeconfig hardway can read", fix: "fix it, or pass --kubeconfig PATH to write another file")
        }
        var base = parsed ?? Node([(Node, Node)]())
        guard base.mapping != nil else {
            throw CLIError("\(file) is not a kubeconfig hardway can read", fix: "fix it, or pass --kubeconfig PATH to write another file")
        }
        guard let new = try Yams.compose(yaml: addition), new.mapping != nil else {
            throw CLIError("internal: the admin kubeconfig did not parse", fix: "report this as a hardway bug")
        }
        for section in ["clusters", "users", "contexts"] {
            let incoming = new[section]?.sequence.map(Array.init) ?? []
            let names = Set(incoming.compactMap { $0["name"]?.string })
            var entries = base[section]?.sequence.map(Array.init) ?? []
            entries.removeAll { names.contains($0["name"]?.string ?? "") }
            base[section] = Node(entries + incoming)
        }
        for key in ["apiVersion", "kind"] where base[key] == nil { base[key] = new[key] }
        base["current-context"] = new["current-context"]
        return try Yams.serialize(node: base)
    }
}

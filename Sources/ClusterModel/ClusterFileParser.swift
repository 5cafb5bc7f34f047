/// Reads a cluster file strictly: unknown keys and wrong types are errors, and every one is
/// reported (not just the first), each with its field path.
public enum ClusterFileParser {
    public static func parse(_ text: String) -> ParsedClusterFile {
        var reader = SpecReader()
        let spec = reader.read(text)
        return ParsedClusterFile(spec: spec, diagnostics: reader.diagnostics, lines: reader.lines)
    }
}

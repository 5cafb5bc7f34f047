/// Reading the sha256 a release publishes for one file, in each of upstream's formats.
public enum PublishedChecksum {
    /// The lowercase hex digest `text` gives for the artifact, or nil when it gives none (or two
    /// that differ). A clear-signed file (runc's) is read between its armor lines; its signature is
    /// not checked here: the digest is what is compared, as kubespray does.
    public static func digest(in text: String, format: ReleaseArtifact.Checksum) -> String? {
        switch format {
        case .digestOnly:
            let word = text.split(whereSeparator: \.isWhitespace).first.map { $0.lowercased() }
            return word.flatMap { isDigest($0) ? $0 : nil }
        case .listing(let entry):
            let found = Set(listing(signedBody(text)).filter { $0.name == entry }.map(\.digest))
            return found.count == 1 ? found.first : nil
        }
    }

    /// The `<hex>  <name>` (or `<hex> *<name>`) lines of a sha256sum file; other lines are skipped.
    public static func listing(_ text: String) -> [(digest: String, name: String)] {
        // `\r\n` is one Character in Swift: split on every kind of line end.
        text.split(whereSeparator: \.isNewline).compactMap { line -> (digest: String, name: String)? in
            let fields = line.split(separator: " ", maxSplits: 1)
            guard fields.count == 2, isDigest(fields[0].lowercased()) else { return nil }
            var name = fields[1].hasPrefix(" ") ? fields[1].dropFirst() : fields[1]
            if name.hasPrefix("*") { name = name.dropFirst() }
            return (fields[0].lowercased(), String(name))
        }
    }

    /// The signed text of a PGP clear-signed message (dash-escaping undone), or `text` when it is not one.
    static func signedBody(_ text: String) -> String {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        guard let begin = lines.firstIndex(of: "-----BEGIN PGP SIGNED MESSAGE-----"),
              let blank = lines[begin...].firstIndex(of: ""),
              let end = lines[blank...].firstIndex(of: "-----BEGIN PGP SIGNATURE-----") else { return text }
        return lines[(blank + 1)..<end].map { $0.hasPrefix("- ") ? String($0.dropFirst(2)) : $0 }.joined(separator: "\n")
    }

    static func isDigest(_ word: String) -> Bool {
        word.utf8.count == 64 && word.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

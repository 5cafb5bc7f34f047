import Foundation
import Shell

/// `binaries build --from FILE.tar`: a bundle from `hardway binaries bundle` checked and unpacked
/// into the binaries directory; nothing is downloaded or built.
extension BinariesBuild {
    /// Unpacks `bundle` beside the binaries directory, checks every SHA256SUMS line (a tampered,
    /// missing or unlisted file is refused by name) and that each pinned binary is the cluster
    /// file's version, and only then moves the files in.
    public func runBundle(_ bundle: String) throws -> Report {
        let started = Date()
        (items, images) = ([], [])
        let fm = FileManager.default
        let name = (bundle as NSString).lastPathComponent
        guard fm.fileExists(atPath: bundle) else {
            throw BinariesError(.badBundle, "there is no bundle \(bundle)", fix: "give the tar `hardway binaries bundle -o` wrote")
        }
        let parent = (directory as NSString).deletingLastPathComponent
        let staging = "\(parent.isEmpty ? "." : parent)/.\((directory as NSString).lastPathComponent).unpacking"
        defer { try? fm.removeItem(atPath: staging) }
        try BinariesBundle.extract(bundle, into: staging)
        let fix = "nothing was placed in \(directory); make the bundle again with `hardway binaries bundle` where it was built, and copy it whole"
        let sums = try DirectorySums(root: staging, what: "the bundle \(name)", fix: fix)
        try sums.verify(fix: fix)
        if let stray = sums.unlisted().first {
            throw BinariesError(.badBundle, "the bundle \(name) holds \(stray), which its SHA256SUMS does not list", fix: fix)
        }
        guard fm.fileExists(atPath: "\(staging)/versions.json") else {
            throw BinariesError(.badBundle, "the bundle \(name) has no versions.json", fix: fix)
        }
        let bundled = BinaryVersions(directory: staging)
        for entry in sums.entries where !entry.path.contains("/") {
            guard let expected = BinaryVersions.expected(entry.path, kubernetesVersion: kubernetesVersion, etcdVersion: etcdVersion,
                                                         containerdVersion: containerdVersion) else { continue }
            let found = try bundled.version(of: entry.path, sha256: entry.digest).version
            guard BinaryVersions.normalized(found) == expected else {
                let field = BinaryVersions.field(for: entry.path) ?? "kubernetesVersion"
                throw BinariesError(.wrongVersion, "the bundle \(name) holds \(entry.path) \(found), but the cluster file's \(field) is \(expected)",
                                    fix: "nothing was placed; bundle a binaries directory built for this cluster file, or set \(field): \(BinaryVersions.normalized(found))")
            }
        }
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let records = bundled.load()
        for entry in sums.entries {
            try moveIn(entry, from: staging, source: "bundle \(name)", version: records[entry.path].flatMap { $0.sha256 == entry.digest ? $0.version : nil })
        }
        var merged = versions.load()
        for (file, record) in records { merged[file] = record }
        try versions.save(merged)
        let written = try writeSums()
        return Report(directory: directory, kubernetesVersion: kubernetesVersion, etcdVersion: etcdVersion, binaries: items, images: images,
                      sums: written, built: false, seconds: Date().timeIntervalSince(started))
    }

    /// One checked file renamed from the staging directory into place, and reported.
    func moveIn(_ entry: DirectorySums.Entry, from staging: String, source: String, version: String?) throws {
        let destination = "\(directory)/\(entry.path)"
        let parent = (destination as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let existing = try? FileDigest.sha256(ofFile: destination)
        guard rename("\(staging)/\(entry.path)", destination) == 0 else {
            throw BinariesError(.writeFailed, "cannot write \(destination): \(String(cString: strerror(errno)))", fix: "check the binaries directory's permissions, then run this again")
        }
        let action = existing == nil ? "copied" : existing == entry.digest ? "kept" : "replaced"
        if entry.path.hasPrefix("images/") {
            let names = (try? ImageArchive.names(inArchive: destination))?.joined(separator: ", ") ?? "not an OCI archive"
            images.append(Image(file: entry.path, name: names, sha256: entry.digest, source: source, action: action == "copied" ? "written" : action))
        } else {
            items.append(Item(name: entry.path, version: version, source: source, sha256: entry.digest, action: action))
        }
    }
}

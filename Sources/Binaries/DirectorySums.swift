import Foundation
import Shell

/// A binaries directory's `SHA256SUMS` (what `binaries build` writes and `sha256sum -c` reads),
/// read strictly and checked line by line: what a bundle is made from and what it is unpacked by.
struct DirectorySums {
    struct Entry: Equatable {
        var digest: String
        var path: String
    }

    let root: String
    let entries: [Entry]
    /// How messages name the directory: `lab/binaries`, `the bundle site.tar`.
    let what: String

    /// Files a directory holds besides those `SHA256SUMS` lists.
    static let records: Set<String> = ["SHA256SUMS", "versions.json"]

    /// `<root>/SHA256SUMS`, every line `<sha256>  <relative path>`; anything else is refused, naming the line.
    init(root: String, what: String, fix: String) throws {
        (self.root, self.what) = (root, what)
        guard let data = FileManager.default.contents(atPath: "\(root)/SHA256SUMS") else {
            throw BinariesError(.badBundle, "\(what) has no SHA256SUMS", fix: fix)
        }
        var entries: [Entry] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            let fields = line.split(separator: " ", maxSplits: 1)
            let path = fields.count == 2 ? String(fields[1].dropFirst()) : ""
            guard fields.count == 2, PublishedChecksum.isDigest(String(fields[0])), fields[1].hasPrefix(" "), Self.isSafe(path) else {
                throw BinariesError(.badBundle, "line \(index + 1) of \(what)'s SHA256SUMS is not `<sha256>  <file in the directory>`: \(String(line.prefix(120)).debugDescription)", fix: fix)
            }
            guard !entries.contains(where: { $0.path == path }), !Self.records.contains(path) else {
                throw BinariesError(.badBundle, "\(what)'s SHA256SUMS lists \(path) twice, or lists one of its own records", fix: fix)
            }
            entries.append(Entry(digest: String(fields[0]), path: path))
        }
        guard !entries.isEmpty else { throw BinariesError(.badBundle, "\(what)'s SHA256SUMS lists no file", fix: fix) }
        self.entries = entries
    }

    /// A relative path that stays inside the directory: no `/` first, no empty, `.` or `..` part,
    /// no control characters.
    static func isSafe(_ path: String) -> Bool {
        !path.hasPrefix("/") && !path.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f }
            && path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    /// Every listed file is there, a plain file, with its listed digest; the first that is not is named.
    func verify(fix: String) throws {
        for entry in entries {
            let path = "\(root)/\(entry.path)"
            guard ReleaseDownload.isRegularFile(path) || isFollowedLink(path) else {
                throw BinariesError(.badBundle, "\(what)'s SHA256SUMS lists \(entry.path), but \(what) has no such file", fix: fix)
            }
            let digest = try FileDigest.sha256(ofFile: path)
            guard digest == entry.digest else {
                throw BinariesError(.checksumMismatch, "\(entry.path) in \(what) does not match its SHA256SUMS line (got \(digest.prefix(16))…, expected \(entry.digest.prefix(16))…)", fix: fix)
            }
        }
    }

    /// A symbolic link to a plain file: allowed in a directory being packed (tar stores its target),
    /// never in an unpacked bundle (`allowLinks` is off there).
    var allowLinks = false
    func isFollowedLink(_ path: String) -> Bool {
        var info = stat()
        return allowLinks && stat(path, &info) == 0 && (info.st_mode & 0o170000) == 0o100000
    }

    /// Files under the root that neither SHA256SUMS lists nor are its records (dot entries and
    /// unfinished writes are skipped, as `binaries build` skips them).
    func unlisted() -> [String] {
        let listed = Set(entries.map(\.path))
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [String] = []
        while let entry = enumerator.nextObject() as? String {
            if (entry as NSString).lastPathComponent.hasPrefix(".") { enumerator.skipDescendants(); continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: "\(root)/\(entry)", isDirectory: &isDirectory) || Self.isLink("\(root)/\(entry)") else { continue }
            if isDirectory.boolValue { continue }
            if listed.contains(entry) || Self.records.contains(entry) || [".hardway-tmp", ".partial", ".new", ".tmp"].contains(where: { entry.hasSuffix($0) }) { continue }
            found.append(entry)
        }
        return found.sorted()
    }

    static func isLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & 0o170000) == 0o120000
    }
}

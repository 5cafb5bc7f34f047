import Foundation
import Shell

/// `hardway binaries bundle`: a binaries directory as one tar for a site without internet — every
/// file its SHA256SUMS lists (binaries, cni/, images/), SHA256SUMS and versions.json. Only a
/// directory that passes its own SHA256SUMS, with nothing unlisted, is packed; `binaries build
/// --from` checks every line again on the other side.
public enum BinariesBundle {
    public struct Packed: Codable, Sendable, Equatable {
        public var bundle: String
        /// Of the tar itself: compare it on the other side before trusting the copy.
        public var sha256: String
        /// The members, in the order they were written.
        public var files: [String]
    }

    /// Packs `directory` into `output` (written beside it as `.partial`, renamed when whole).
    public static func pack(directory: String, to output: String) throws -> Packed {
        let fm = FileManager.default
        let fix = "run `hardway binaries build` for this cluster file again (it rewrites SHA256SUMS), then bundle"
        let absoluteOutput = output.hasPrefix("/") ? output : fm.currentDirectoryPath + "/" + output
        guard !(absoluteOutput as NSString).standardizingPath.hasPrefix((directory as NSString).standardizingPath + "/") else {
            throw BinariesError(.badBundle, "\(output) is inside the binaries directory \(directory)", fix: "write the bundle elsewhere, e.g. -o binaries.tar beside the cluster file")
        }
        var sums = try DirectorySums(root: directory, what: directory, fix: fix)
        sums.allowLinks = true
        try sums.verify(fix: fix)
        if let stray = sums.unlisted().first {
            throw BinariesError(.badBundle, "\(directory)/\(stray) is not in its SHA256SUMS", fix: "run `hardway binaries build` again (it lists every file there), or remove \(stray)")
        }
        guard fm.fileExists(atPath: "\(directory)/versions.json") else {
            throw BinariesError(.badBundle, "\(directory) has no versions.json", fix: fix)
        }
        let files = ["SHA256SUMS", "versions.json"] + sums.entries.map(\.path)
        let (list, descriptor) = try ScratchDirectory.shared.file("bundle-list")
        defer { unlink(list) }
        // NUL-separated, so no name is ever read as an option or split.
        let names = Data(files.map { $0 + "\0" }.joined().utf8)
        let written = names.withUnsafeBytes { write(descriptor, $0.baseAddress, names.count) }
        close(descriptor)
        guard written == names.count else { throw BinariesError(.writeFailed, "cannot write the bundle's file list", fix: "check the space in \(NSTemporaryDirectory())") }
        let partial = absoluteOutput + ".partial"
        try? fm.removeItem(atPath: partial)
        defer { try? fm.removeItem(atPath: partial) }
        let result = try Exec.run("tar", ["-cf", partial, "--owner=0", "--group=0", "--numeric-owner", "--dereference", "--hard-dereference",
                                          "--no-recursion", "-C", directory, "--null", "--verbatim-files-from", "-T", list])
        guard result.succeeded else {
            throw BinariesError(.writeFailed, "cannot write \(output) (\(result.tail))", fix: "check the space and permissions where it goes")
        }
        guard rename(partial, absoluteOutput) == 0 else {
            throw BinariesError(.writeFailed, "cannot write \(output): \(String(cString: strerror(errno)))", fix: "check the permissions where it goes")
        }
        return Packed(bundle: output, sha256: try FileDigest.sha256(ofFile: absoluteOutput), files: files)
    }

    /// The bundle unpacked into a fresh `staging` directory after its listing shows only plain files
    /// and directories (no links, devices or names leaving the directory).
    static func extract(_ bundle: String, into staging: String) throws {
        let fix = "make the bundle again with `hardway binaries bundle` and copy it whole"
        let listing = try Exec.run("tar", ["-tvf", bundle])
        guard listing.succeeded else {
            throw BinariesError(.badBundle, "\(bundle) is not a tar archive (\(listing.tail))", fix: fix)
        }
        for line in listing.stdout.split(separator: "\n") where !(line.hasPrefix("-") || line.hasPrefix("d")) {
            throw BinariesError(.badBundle, "\(bundle) holds something that is not a plain file: \(String(line.prefix(160)).debugDescription)", fix: fix)
        }
        try? FileManager.default.removeItem(atPath: staging)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        let result = try Exec.run("tar", ["-xf", bundle, "-C", staging, "--no-same-owner"])
        guard result.succeeded else {
            throw BinariesError(.badBundle, "cannot unpack \(bundle) (\(result.tail))", fix: fix)
        }
    }
}

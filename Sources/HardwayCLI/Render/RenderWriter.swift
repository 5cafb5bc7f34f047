import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ClusterModel
import PKI
import Render

/// Compares a render with what is on disk under `<dir>` and writes the difference: each file
/// atomically with its mode, files no longer rendered removed. A run that is interrupted leaves
/// every file either old or new, and the next run completes it.
///
/// Every rendered file is compared with the file on disk byte for byte (after its mode and size),
/// so a file edited by hand is always found and restored; only the files that differ are kept in
/// memory for a diff. The writes go through one `FileBatch`: all new files under temporary names,
/// one `syncfs`, the renames, one more sync — not two `fsync`s per file.
struct RenderWriter {
    /// The directories a render owns; anything else under `<dir>` is never touched.
    static let roots = ["nodes", "kubeconfigs", "manifests"]

    enum Change: String, Codable {
        case added, changed, removed
    }

    struct Entry {
        var path: String
        var change: Change
        /// The file on disk, for a diff: set for changed and removed files.
        var old: String?
        var new: RenderedFile?
    }

    /// What a render changes under `<dir>`, and the temporary files an interrupted run left there.
    struct Comparison {
        var entries: [Entry]
        var leftovers: [String]
    }

    let directory: String

    /// What one directory holds, relative to `directory`.
    struct Listing {
        var files: [String] = []
        var directories: [String] = []
        /// Temporary files an interrupted run left.
        var leftovers: [String] = []

        mutating func add(_ other: Listing) {
            files += other.files
            directories += other.directories
            leftovers += other.leftovers
        }
    }

    func list(_ relative: String) -> Listing {
        var listing = Listing()
        guard let handle = opendir("\(directory)/\(relative)") else { return listing }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let path = "\(relative)/\(name)"
            let type = Int32(entry.pointee.d_type)
            var isDirectory = type == DT_DIR
            if type != DT_DIR && type != DT_REG {
                // A link, or a file system without d_type: what it points to decides; a link to
                // a directory is left alone.
                var info = stat()
                guard stat("\(directory)/\(path)", &info) == 0 else { continue }
                isDirectory = info.st_mode & S_IFMT == S_IFDIR
                if isDirectory && type == DT_LNK { continue }
            }
            if isDirectory {
                listing.directories.append(path)
            } else if name.hasPrefix(AtomicFile.temporaryMarker) {
                listing.leftovers.append(path)
            } else {
                listing.files.append(path)
            }
        }
        return listing
    }

    /// Everything under `relative`, however deep (the directories themselves left out).
    func walk(_ relative: String) -> Listing {
        var all = list(relative)
        var pending = all.directories
        while let next = pending.popLast() {
            let listing = list(next)
            all.add(listing)
            pending += listing.directories
        }
        return all
    }

    /// Every file under the owned roots, relative to `directory`, and the leftovers of interrupted
    /// runs apart. Each node's directory is walked on its own core: a thousand nodes hold thirty
    /// thousand files and directories.
    func existingFiles() -> (files: Set<String>, leftovers: [String]) {
        var top = Listing()
        for root in Self.roots { top.add(list(root)) }
        for below in top.directories.concurrentMap(walk) { top.add(below) }
        return (Set(top.files), top.leftovers)
    }

    func compare(_ output: RenderOutput) -> Comparison {
        let existing = existingFiles()
        let files = output.files
        // Reading and comparing tens of thousands of files is the cost of a render that changes
        // nothing: on all cores, each file read once.
        let changed = files.concurrentMap { path, file -> Entry? in
            guard existing.files.contains(path) else { return Entry(path: path, change: .added, old: nil, new: file) }
            switch onDisk(path, comparedWith: file) {
            case .same: return nil
            case .different(let old): return Entry(path: path, change: .changed, old: old, new: file)
            case .unreadable: return Entry(path: path, change: .added, old: nil, new: file)
            }
        }
        var entries = changed.compactMap { $0 }
        for path in existing.files.subtracting(files.map(\.path)) {
            let old = Self.read("\(directory)/\(path)").map { String(decoding: $0, as: UTF8.self) }
            entries.append(Entry(path: path, change: .removed, old: old, new: nil))
        }
        return Comparison(entries: entries.sorted { $0.path < $1.path }, leftovers: existing.leftovers)
    }

    enum OnDisk {
        case same
        /// Other bytes or another mode; the bytes as text, for a diff.
        case different(String)
        /// Written over as if it were not there.
        case unreadable
    }

    /// Whether the file on disk is exactly `file`: its mode, then its bytes.
    func onDisk(_ path: String, comparedWith file: RenderedFile) -> OnDisk {
        let fd = open("\(directory)/\(path)", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .unreadable }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, let bytes = Self.read(fd: fd, sizeHint: Int(info.st_size)) else { return .unreadable }
        var contents = file.contents
        let sameBytes = contents.withUTF8 { new in
            bytes.count == new.count && (new.isEmpty || bytes.withUnsafeBytes { memcmp($0.baseAddress!, new.baseAddress!, new.count) == 0 })
        }
        if sameBytes && UInt16(info.st_mode & 0o7777) == file.mode { return .same }
        return .different(String(decoding: bytes, as: UTF8.self))
    }

    static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        return read(fd: fd, sizeHint: fstat(fd, &info) == 0 ? Int(info.st_size) : 0)
    }

    /// The whole file: one `read` when its size is right, more when it grew meanwhile.
    static func read(fd: Int32, sizeHint: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: max(sizeHint, 0) + 1)
        var length = 0
        while true {
            if length == bytes.count { bytes.append(contentsOf: repeatElement(0, count: max(bytes.count, 4096))) }
            let got = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + length, $0.count - length) }
            if got < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if got == 0 { break }
            length += got
        }
        bytes.removeSubrange(length...)
        return bytes
    }

    func apply(_ comparison: Comparison) throws {
        try AtomicFile.makeDirectory(directory, mode: 0o700)
        for root in Self.roots { try AtomicFile.makeDirectory("\(directory)/\(root)", mode: 0o700) }
        for leftover in comparison.leftovers { unlink("\(directory)/\(leftover)") }
        // A node's directories and files on one core (two threads creating files in one directory
        // wait for each other on its lock), the nodes on all of them.
        let byNode = Dictionary(grouping: comparison.entries.filter { $0.new != nil }) { entry in
            entry.path.split(separator: "/").prefix(entry.path.hasPrefix("nodes/") ? 2 : 1).joined(separator: "/")
        }
        let batch = FileBatch()
        do {
            _ = try Array(byNode.values).concurrentMap { entries in
                var made = Set<String>()
                for entry in entries {
                    guard let file = entry.new else { continue }
                    let parent = (entry.path as NSString).deletingLastPathComponent
                    // Each directory once, before its files, as 0755 whatever it was; the roots stay
                    // 0700 (writing file by file opened kubeconfigs/ to 0755 on a first render).
                    if !Self.roots.contains(parent), made.insert(parent).inserted {
                        try AtomicFile.makeDirectory("\(directory)/\(parent)", mode: 0o755)
                    }
                    // Manifests last, so a MANIFEST never describes files that are not there yet.
                    try batch.stage(file.contents, directory: "\(directory)/\(parent)", name: (entry.path as NSString).lastPathComponent,
                                    mode: mode_t(file.mode), order: entry.path.hasSuffix("/MANIFEST") ? 1 : 0)
                }
            }
            try batch.commit()
        } catch {
            batch.abandon()
            throw error
        }
        for entry in comparison.entries where entry.new == nil {
            let full = "\(directory)/\(entry.path)"
            try? FileManager.default.removeItem(atPath: full)
            removeEmptyParents(of: full)
        }
    }

    func removeEmptyParents(of path: String) {
        var parent = (path as NSString).deletingLastPathComponent
        while parent.count > directory.count + 1, !Self.roots.contains(where: { "\(directory)/\($0)" == parent }) {
            guard (try? FileManager.default.contentsOfDirectory(atPath: parent))?.isEmpty == true else { return }
            try? FileManager.default.removeItem(atPath: parent)
            parent = (parent as NSString).deletingLastPathComponent
        }
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ClusterModel
import PKI
import Render
import Shell

/// Compares a render with what is on disk under `<dir>` and writes the difference: each file
/// atomically with its mode, files no longer rendered removed. A run that is interrupted leaves
/// every file either old or new, and the next run completes it.
///
/// Every rendered file is compared with the file on disk byte for byte (after its mode), so a file
/// edited by hand is always found and restored. The writes go through one `FileBatch`: every
/// changed file under a temporary name as soon as it is found, one `syncfs`, the renames (each
/// MANIFEST after the files it lists), one more sync — not two `fsync`s per file. A render made
/// node by node (`ClusterRenderer.render(_:each:)`) is compared and staged node by node, so only
/// a node per core is in memory, never the whole cluster's files.
struct RenderWriter {
    /// The directories a render owns; anything else under `<dir>` is never touched.
    static let roots = ["nodes", "kubeconfigs", "manifests"]

    enum Change: String, Codable {
        case added, changed, removed
    }

    struct Entry {
        var path: String
        var change: Change
        /// The bytes on disk and the rendered ones with their mode, kept for a diff only: a render
        /// that writes stages each file as it finds it and keeps neither.
        var old: String?
        var new: String?
        var mode: UInt16?
    }

    /// What is under the roots before a render: the files, and the temporary files a stopped run
    /// left (removed when the render is written).
    struct Disk {
        var files: Set<String>
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
    func scan() -> Disk {
        var top = Listing()
        for root in Self.roots { top.add(list(root)) }
        for below in top.directories.concurrentMap(walk) { top.add(below) }
        return Disk(files: Set(top.files), leftovers: top.leftovers)
    }

    /// `files` (paths relative to `directory`) compared with the disk, one at a time: an entry for
    /// each that differs. With a batch, each of those is staged in it straight away (its directory
    /// made first) and its bytes are not kept; without one (a diff) they are.
    func compare(_ files: [(path: String, file: RenderedFile)], with disk: Disk, writingInto batch: FileBatch?) throws -> [Entry] {
        var entries: [Entry] = []
        var made = Set<String>()
        for (path, file) in files {
            var entry = Entry(path: path, change: .added)
            if disk.files.contains(path) {
                switch onDisk(path, comparedWith: file) {
                case .same: continue
                case .different(let old): entry = Entry(path: path, change: .changed, old: old)
                case .unreadable: break
                }
            }
            guard let batch else {
                entry.new = file.contents
                entry.mode = file.mode
                entries.append(entry)
                continue
            }
            entry.old = nil
            let parent = (path as NSString).deletingLastPathComponent
            // Each directory once, before its files, as 0755 whatever it was; the roots stay 0700
            // (writing file by file opened kubeconfigs/ to 0755 on a first render).
            if !Self.roots.contains(parent), made.insert(parent).inserted {
                try AtomicFile.makeDirectory("\(directory)/\(parent)", mode: 0o755)
            }
            // Manifests last, so a MANIFEST never describes files that are not there yet.
            try batch.stage(file.contents, directory: "\(directory)/\(parent)", name: (path as NSString).lastPathComponent,
                            mode: mode_t(file.mode), order: path.hasSuffix("/MANIFEST") ? 1 : 0)
            entries.append(entry)
        }
        return entries
    }

    /// The files on disk a render no longer makes, with their bytes when `keepingBytes` (a diff).
    func removed(from disk: Disk, rendered: Set<String>, keepingBytes: Bool) -> [Entry] {
        disk.files.subtracting(rendered).map { path in
            Entry(path: path, change: .removed, old: keepingBytes ? Self.read("\(directory)/\(path)").map { String(decoding: $0, as: UTF8.self) } : nil)
        }
    }

    /// Makes the roots (0700) before anything is staged under them.
    func prepare() throws {
        try AtomicFile.makeDirectory(directory, mode: 0o700)
        for root in Self.roots { try AtomicFile.makeDirectory("\(directory)/\(root)", mode: 0o700) }
    }

    /// Puts what `batch` staged in place, then removes the files no longer rendered and the
    /// leftovers of stopped runs.
    func finish(_ batch: FileBatch, removing removed: [Entry], leftovers: [String]) throws {
        try batch.commit()
        for entry in removed {
            let full = "\(directory)/\(entry.path)"
            try? FileManager.default.removeItem(atPath: full)
            removeEmptyParents(of: full)
        }
        for leftover in leftovers { unlink("\(directory)/\(leftover)") }
    }

    /// A whole render (apply's, which keeps it for the hosts) compared and written: the nodes on
    /// all cores. Returns what changed, by path.
    @discardableResult
    func write(_ output: RenderOutput) throws -> [Entry] {
        let disk = scan()
        try prepare()
        let batch = FileBatch()
        do {
            let nodes = try output.nodes.concurrentMap { node in
                let files = node.filesWithManifest
                return (paths: files.map(\.path), entries: try compare(files, with: disk, writingInto: batch))
            }
            let workstation = output.workstationFiles
            let others = try compare(workstation, with: disk, writingInto: batch)
            let removed = removed(from: disk, rendered: Set(nodes.flatMap(\.paths) + workstation.map(\.path)), keepingBytes: false)
            try finish(batch, removing: removed, leftovers: disk.leftovers)
            return (nodes.flatMap(\.entries) + others + removed).sorted { $0.path < $1.path }
        } catch {
            batch.abandon()
            throw error
        }
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

    func removeEmptyParents(of path: String) {
        var parent = (path as NSString).deletingLastPathComponent
        while parent.count > directory.count + 1, !Self.roots.contains(where: { "\(directory)/\($0)" == parent }) {
            guard (try? FileManager.default.contentsOfDirectory(atPath: parent))?.isEmpty == true else { return }
            try? FileManager.default.removeItem(atPath: parent)
            parent = (parent as NSString).deletingLastPathComponent
        }
    }
}

import Foundation
import CSystemShims
#if canImport(Glibc)
import Glibc
#endif

/// Many files written as one durable, ordered step: every file is first written in full under a
/// temporary name, one `syncfs` makes all of them durable, then they are renamed into place in
/// the order given (CAs before what they sign) and each directory is synced once (or, for many
/// directories, the file system once more). Readers never see a partial file, and a crash leaves
/// either old files or complete new ones — at the cost of two syncs instead of two per file.
public final class FileBatch: @unchecked Sendable {
    struct Entry {
        var directory: String
        var temporary: String
        var path: String
        var order: Int
        var sequence: Int
    }

    private let lock = NSLock()
    private var entries: [Entry] = []
    private var sequence = 0

    public init() {}

    /// Writes `bytes` to a temporary file in `directory` that becomes `name` on commit, with exactly `mode`.
    public func stage(_ bytes: [UInt8], directory: String, name: String, mode: mode_t, order: Int) throws {
        try bytes.withUnsafeBytes { try stage($0, directory: directory, name: name, mode: mode, order: order) }
    }

    /// `text` as UTF-8, without copying it into an array first.
    public func stage(_ text: String, directory: String, name: String, mode: mode_t, order: Int) throws {
        var text = text
        try text.withUTF8 { try stage(UnsafeRawBufferPointer($0), directory: directory, name: name, mode: mode, order: order) }
    }

    func stage(_ bytes: UnsafeRawBufferPointer, directory: String, name: String, mode: mode_t, order: Int) throws {
        let temporary = try AtomicFile.writeTemporary(bytes, directory: directory, name: name, mode: mode, sync: false)
        lock.withLock {
            entries.append(Entry(directory: directory, temporary: temporary, path: "\(directory)/\(name)", order: order, sequence: sequence))
            sequence += 1
        }
    }

    public var isEmpty: Bool { lock.withLock { entries.isEmpty } }

    /// Makes every staged file durable, renames them into place in order, syncs their directories.
    public func commit() throws {
        let staged = lock.withLock { entries.sorted { ($0.order, $0.sequence) < ($1.order, $1.sequence) } }
        guard !staged.isEmpty else { return }
        let directories = Array(Set(staged.map(\.directory)))
        try Self.sync(directories[0], fallback: staged.map(\.temporary))
        for entry in staged {
            guard rename(entry.temporary, entry.path) == 0 else {
                let error = AtomicFile.failure("rename onto", entry.path)
                abandon()
                throw error
            }
        }
        Self.syncDirectories(directories)
        lock.withLock { entries.removeAll() }
    }

    /// Beyond this many directories one `syncfs` is cheaper than an `fsync` of each (a render of a
    /// thousand nodes renames into about ten thousand directories; the PKI into one or two).
    static let directoriesWorthOneSync = 16

    /// Makes the renames in `directories` durable: an `fsync` of each, or one `syncfs` when there
    /// are many (which also covers the directories made for them).
    static func syncDirectories(_ directories: [String]) {
        if directories.count > directoriesWorthOneSync {
            let fd = open(directories[0], O_RDONLY | O_DIRECTORY)
            if fd >= 0 {
                defer { close(fd) }
                if hardway_syncfs(fd) == 0 { return }
            }
        }
        for directory in directories {
            let fd = open(directory, O_RDONLY | O_DIRECTORY)
            if fd >= 0 { fsync(fd); close(fd) }
        }
    }

    /// Removes whatever is still staged.
    public func abandon() {
        let staged = lock.withLock { let copy = entries; entries.removeAll(); return copy }
        for entry in staged { unlink(entry.temporary) }
    }

    /// One `syncfs` on the file system that holds the files; `fsync` each when that fails.
    static func sync(_ directory: String, fallback files: [String]) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY)
        if fd >= 0 {
            defer { close(fd) }
            if hardway_syncfs(fd) == 0 { return }
        }
        for file in files {
            let fileFD = open(file, O_RDONLY)
            guard fileFD >= 0 else { throw AtomicFile.failure("open", file) }
            defer { close(fileFD) }
            guard fsync(fileFD) == 0 else { throw AtomicFile.failure("sync", file) }
        }
    }

    /// Removes temporary files an interrupted run left in `directory`.
    public static func removeLeftovers(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(AtomicFile.temporaryMarker) { unlink("\(directory)/\(name)") }
    }
}

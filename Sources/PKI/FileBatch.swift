import Foundation
import CSystemShims
#if canImport(Glibc)
import Glibc
#endif

/// Many files written as one durable, ordered step: every file is first written in full under a
/// temporary name, one `syncfs` makes all of them durable, then they are renamed into place in
/// the order given (CAs before what they sign) and each directory is synced once. Readers never
/// see a partial file, and a crash leaves either old files or complete new ones — at the cost of
/// two syncs instead of two per file.
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

    /// Prefix of temporary files, so an interrupted run's leftovers can be recognised and removed.
    public static let temporaryMarker = ".hardway-tmp-"

    /// Writes `bytes` to a temporary file in `directory` that becomes `name` on commit, with exactly `mode`.
    public func stage(_ bytes: [UInt8], directory: String, name: String, mode: mode_t, order: Int) throws {
        let path = "\(directory)/\(name)"
        let temporary = "\(directory)/\(Self.temporaryMarker)\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw AtomicFile.failure("create", temporary) }
        defer { close(fd) }
        // The umask may have narrowed the mode; set it exactly.
        guard fchmod(fd, mode) == 0 else { unlink(temporary); throw AtomicFile.failure("set the mode of", temporary) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                unlink(temporary)
                throw AtomicFile.failure("write", temporary)
            }
            offset += written
        }
        lock.withLock {
            entries.append(Entry(directory: directory, temporary: temporary, path: path, order: order, sequence: sequence))
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
        for directory in directories {
            let fd = open(directory, O_RDONLY | O_DIRECTORY)
            if fd >= 0 { fsync(fd); close(fd) }
        }
        lock.withLock { entries.removeAll() }
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
        for name in names where name.hasPrefix(temporaryMarker) { unlink("\(directory)/\(name)") }
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes that never leave a half-written file: a temporary file in the same directory, created
/// with the final mode, synced, then renamed over the target.
public enum AtomicFile {
    public static func write(_ contents: String, to path: String, mode: mode_t) throws {
        try write(Array(contents.utf8), to: path, mode: mode)
    }

    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = try writeTemporary(bytes, directory: directory.isEmpty ? "." : directory,
                                           name: (path as NSString).lastPathComponent, mode: mode, sync: true)
        guard rename(temporary, path) == 0 else {
            let error = failure("rename onto", path)
            unlink(temporary)
            throw error
        }
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY)
        if dirFD >= 0 { fsync(dirFD); close(dirFD) }
    }

    /// Prefix of temporary files, so an interrupted run's leftovers can be recognised and removed.
    public static let temporaryMarker = ".hardway-tmp-"

    /// Writes `bytes` in full to a new temporary file in `directory` for `name`, created with exactly
    /// `mode` (the umask may have narrowed it), synced when asked; returns its path.
    static func writeTemporary(_ bytes: [UInt8], directory: String, name: String, mode: mode_t, sync: Bool) throws -> String {
        try bytes.withUnsafeBytes { try writeTemporary($0, directory: directory, name: name, mode: mode, sync: sync) }
    }

    static func writeTemporary(_ bytes: UnsafeRawBufferPointer, directory: String, name: String, mode: mode_t, sync: Bool) throws -> String {
        let temporary = "\(directory)/\(temporaryMarker)\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("create", temporary) }
        var done = false
        defer {
            close(fd)
            if !done { unlink(temporary) }
        }
        guard fchmod(fd, mode) == 0 else { throw failure("set the mode of", temporary) }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw failure("write", temporary)
            }
            offset += written
        }
        if sync, fsync(fd) != 0 { throw failure("sync", temporary) }
        done = true
        return temporary
    }

    /// Creates `path` and its parents; the last component gets `mode` even when it already existed.
    public static func makeDirectory(_ path: String, mode: mode_t) throws {
        try makeDirectories(path)
        guard chmod(path, mode) == 0 else { throw failure("set the mode of", path) }
    }

    /// Creates what is missing of `path` with `mode` (umask aside), and leaves every directory that
    /// exists as it is: a file written into /tmp must not make /tmp private.
    public static func makeMissingDirectories(_ path: String, mode: mode_t) throws {
        guard !path.isEmpty, path != "/", path != "." else { return }
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw PKIError(.writeFailed, "\(path) is not a directory", fix: "give a path in a directory")
            }
            return
        }
        try makeMissingDirectories((path as NSString).deletingLastPathComponent, mode: mode)
        guard mkdir(path, mode) == 0 || errno == EEXIST else { throw failure("create", path) }
        chmod(path, mode)
    }

    /// `mkdir -p` in system calls (new directories get 0777 less the umask): a render of a thousand
    /// nodes makes ten thousand directories, and a parent is only looked at when one is missing.
    static func makeDirectories(_ path: String) throws {
        func made() -> Bool {
            if mkdir(path, 0o777) == 0 { return true }
            guard errno == EEXIST else { return false }
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return true }
            errno = ENOTDIR
            return false
        }
        if made() { return }
        let parent = (path as NSString).deletingLastPathComponent
        if errno == ENOENT, !parent.isEmpty, parent != path {
            try makeDirectories(parent)
            if made() { return }
        }
        throw PKIError(.writeFailed, "could not create \(path): \(String(cString: strerror(errno)))", fix: "check that the parent directory is writable")
    }

    static func failure(_ verb: String, _ path: String) -> PKIError {
        PKIError(.writeFailed, "could not \(verb) \(path): \(String(cString: strerror(errno)))", fix: "check the directory's permissions and free space")
    }
}

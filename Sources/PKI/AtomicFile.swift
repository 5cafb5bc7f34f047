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
        let temporary = "\(directory.isEmpty ? "." : directory)/.\((path as NSString).lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("create", temporary) }
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        // The umask may have narrowed the mode; set it exactly.
        guard fchmod(fd, mode) == 0 else { close(fd); throw failure("set the mode of", temporary) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                close(fd)
                throw failure("write", temporary)
            }
            offset += written
        }
        guard fsync(fd) == 0 else { close(fd); throw failure("sync", temporary) }
        close(fd)
        guard rename(temporary, path) == 0 else { throw failure("rename onto", path) }
        ok = true
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY)
        if dirFD >= 0 { fsync(dirFD); close(dirFD) }
    }

    /// Creates `path` and its parents; the last component gets `mode` even when it already existed.
    public static func makeDirectory(_ path: String, mode: mode_t) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw PKIError(.writeFailed, "could not create \(path): \(error.localizedDescription)", fix: "check that the parent directory is writable")
        }
        guard chmod(path, mode) == 0 else { throw failure("set the mode of", path) }
    }

    static func failure(_ verb: String, _ path: String) -> PKIError {
        PKIError(.writeFailed, "could not \(verb) \(path): \(String(cString: strerror(errno)))", fix: "check the directory's permissions and free space")
    }
}

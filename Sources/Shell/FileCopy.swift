import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file copied through descriptors opened close-on-exec: a program started by another thread
/// while the copy is written never keeps it open for writing (which would make the copy, once a
/// program itself, fail to start with "text file busy" for as long as that program runs).
public enum FileCopy {
    /// Copies `source` to a new file `destination` (which must not exist) with `mode`.
    public static func copy(_ source: String, to destination: String, mode: mode_t) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw failure("read", source) }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard output >= 0 else { throw failure("create", destination) }
        var done = false
        defer {
            close(output)
            if !done { unlink(destination) }
        }
        let reader = FileHandle(fileDescriptor: input, closeOnDealloc: false)
        let writer = FileHandle(fileDescriptor: output, closeOnDealloc: false)
        do {
            while let chunk = try reader.read(upToCount: 1 << 20), !chunk.isEmpty { try writer.write(contentsOf: chunk) }
        } catch {
            throw ShellError("cannot copy \(source) to \(destination): \(error.localizedDescription)", fix: "check the directory's permissions and free space")
        }
        guard fchmod(output, mode) == 0 else { throw failure("set the mode of", destination) }
        done = true
    }

    static func failure(_ verb: String, _ path: String) -> ShellError {
        ShellError("cannot \(verb) \(path): \(String(cString: strerror(errno)))", fix: "check the directory's permissions and free space")
    }
}

import Foundation

/// This process's own scratch directory: made with mkdtemp (0700, a name no one can guess), its
/// files created 0600 with O_EXCL and removed after use, the directory itself removed when the
/// process exits. Another user on the box can neither read what passes through it nor put a file
/// where hardway will look.
public final class ScratchDirectory: Sendable {
    public let path: String

    /// The process's one scratch directory, made at first use.
    public static var shared: ScratchDirectory {
        get throws { try made.get() }
    }

    private static let made: Result<ScratchDirectory, ShellError> = {
        let base = (NSTemporaryDirectory() as NSString).appendingPathComponent("hardway-XXXXXX")
        var template = Array(base.utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            return .failure(ShellError("cannot make a scratch directory under \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))",
                                       fix: "check that the temporary directory (TMPDIR) exists and can be written", code: .fileAccess))
        }
        let directory = ScratchDirectory(path: String(cString: made))
        atexit { try? FileManager.default.removeItem(atPath: (try? ScratchDirectory.shared.path) ?? "/nonexistent") }
        return .success(directory)
    }()

    private init(path: String) { self.path = path }

    /// A new file of its own (0600, never there before), open for reading and writing.
    public func file(_ prefix: String) throws -> (path: String, descriptor: Int32) {
        for _ in 0..<16 {
            let candidate = "\(path)/\(prefix)-\(UInt64.random(in: .min ... .max))"
            let descriptor = open(candidate, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            if descriptor >= 0 { return (candidate, descriptor) }
            guard errno == EEXIST else { break }
        }
        throw ShellError("cannot make a file in \(path): \(String(cString: strerror(errno)))", fix: "check the temporary directory", code: .fileAccess)
    }
}

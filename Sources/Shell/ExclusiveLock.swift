import Foundation

/// An exclusive flock(2) on a file: one hardway at a time builds the same cached thing (the lab root,
/// a Kubernetes build); another waits, saying so, then finds the work done.
public final class ExclusiveLock {
    private let descriptor: Int32

    /// Takes the lock on `path` (made if missing), waiting for its holder; `waiting` is called once
    /// when it has to wait.
    public init(_ path: String, waiting: () -> Void) throws {
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ShellError("cannot write \(path): \(String(cString: strerror(errno)))", code: .fileAccess) }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            waiting()
            flock(descriptor, LOCK_EX)
        }
    }

    /// Takes the lock on `path`, as above; a lock file that cannot be made is `unwritable`, the
    /// caller's own error (a cache directory it cannot write).
    public convenience init(_ path: String, waiting: () -> Void, unwritable: @autoclosure () -> Error) throws {
        do {
            try self.init(path, waiting: waiting)
        } catch {
            throw unwritable()
        }
    }

    deinit { close(descriptor) }
}

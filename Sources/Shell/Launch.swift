import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts Foundation `Process`es one at a time, and again when the program's file was busy.
///
/// Foundation's `Process.run()` opens a socket pair for each program, without close-on-exec, and
/// learns that the program ended when the program's end of it closes. It closes every other
/// descriptor in the child, but only those open when it looked: a second thread's launch in the
/// same instant can hand the first program's end to its own child. The first program's end then
/// goes unnoticed until the second program ends — a CI run saw a 4-second `etcdctl` wait 90 s for
/// an `apply` started beside it, and an ssh master lives for minutes. One launch at a time closes
/// that window.
///
/// A program written a moment before may still be open for writing in a child another thread is
/// starting (between its fork and its exec): exec then fails with ETXTBSY ("text file busy") for
/// that instant. Such a launch is tried again, for up to about 2 s.
public enum Launch {
    private static let lock = NSLock()

    /// `make()`'s process, started. `make` is called again for each try: a Process starts once.
    @discardableResult
    public static func run(_ make: () throws -> Process) throws -> Process {
        var attempt = 0
        while true {
            let process = try make()
            do {
                try locked { try process.run() }
                return process
            } catch where busy(error) && attempt < 8 {
                attempt += 1
                usleep(UInt32(50_000 * attempt))
            }
        }
    }

    /// `body` with no other launch of this process under way.
    public static func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Whether `error` is Foundation's report of ETXTBSY.
    static func busy(_ error: Error) -> Bool {
        let error = error as NSError
        if error.domain == NSPOSIXErrorDomain { return error.code == Int(ETXTBSY) }
        guard let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError else { return false }
        return underlying.domain == NSPOSIXErrorDomain && underlying.code == Int(ETXTBSY)
    }
}

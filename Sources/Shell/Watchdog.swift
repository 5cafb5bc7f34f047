import Foundation

/// Stops a program that runs past its time limit: SIGTERM at the limit, SIGKILL 3 s later.
final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    private var stopped = false

    init(_ process: Process, timeout: TimeInterval?) {
        guard let timeout else { return }
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [self] in
            guard kill(pid, 0) == 0, fire() else { return }
            kill(pid, SIGTERM)
            DispatchQueue.global().asyncAfter(deadline: .now() + 3) { [self] in
                if !isDone { kill(pid, SIGKILL) }
            }
        }
    }

    /// Marks the time as up unless the program ended first; whether it did not.
    private func fire() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return false }
        stopped = true
        return true
    }

    private var isDone: Bool {
        lock.lock()
        defer { lock.unlock() }
        return done
    }

    /// The program ended: nothing more to stop (its pid may be another program's soon).
    func cancel() {
        lock.lock()
        done = true
        lock.unlock()
    }

    /// Whether the program was stopped for running too long.
    var fired: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }
}

import Foundation

/// Waiting for something with a deadline: the one loop every gate, drill and wait of hardway uses,
/// instead of a hand-written `while Date() < deadline … usleep` each time.
public enum Poll {
    /// Calls `probe` every `interval` seconds until it returns a value, and returns that value; nil
    /// when `timeout` seconds passed first. The probe runs at least once, and once more at the
    /// deadline's edge is never skipped: a condition met during the last sleep is still seen.
    public static func until<T>(timeout: TimeInterval, every interval: TimeInterval,
                                _ probe: () throws -> T?) rethrows -> T? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let value = try probe() { return value }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return nil }
            sleep(seconds: min(interval, left))
        }
    }

    /// A gate's loop: `probe` describes what is still wrong, or returns nil once all is well. Returns
    /// nil when all became well in time, else the last problem it described.
    public static func problem(timeout: TimeInterval, every interval: TimeInterval,
                               _ probe: () throws -> String?) rethrows -> String? {
        var last = "no answer"
        let healthy: Bool? = try until(timeout: timeout, every: interval) {
            guard let problem = try probe() else { return true }
            last = problem
            return nil
        }
        return healthy == true ? nil : last
    }

    /// How long it took until `condition` held, counted from `start`; nil when it did not within
    /// `timeout` seconds of now.
    public static func seconds(since start: Date, timeout: TimeInterval, every interval: TimeInterval,
                               _ condition: () throws -> Bool) rethrows -> TimeInterval? {
        try until(timeout: timeout, every: interval) { try condition() ? Date().timeIntervalSince(start) : nil }
    }

    /// Sleeps the calling thread (gates run on threads of their own, never on a task's executor).
    public static func sleep(seconds: TimeInterval) {
        guard seconds > 0 else { return }
        usleep(UInt32(min(seconds, 3600) * 1_000_000))
    }
}

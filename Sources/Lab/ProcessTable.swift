import Foundation

/// Processes, read from /proc: a machine is its systemd-nspawn process, known by pid and start time
/// so a reused pid is never mistaken for it.
public enum ProcessTable {
    /// Field 22 of /proc/PID/stat (clock ticks after boot), and the state letter.
    static func stat(_ pid: pid_t) -> (state: Character, startTime: UInt64)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let start = UInt64(fields[19]) else { return nil }
        return (state, start)
    }

    public static func startTime(_ pid: pid_t) -> UInt64? { stat(pid)?.startTime }

    /// Running (not a zombie) and the same process that was started.
    public static func isRunning(_ pid: pid_t, startTime: UInt64?) -> Bool {
        guard let stat = stat(pid), stat.state != "Z", stat.state != "X" else { return false }
        return startTime.map { $0 == stat.startTime } ?? true
    }

    /// Proportional set size in bytes (shared pages divided among their users).
    public static func pss(_ pid: pid_t) -> UInt64 {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("Pss:") {
            let value = line.split(separator: " ").dropFirst().first.flatMap { UInt64($0) } ?? 0
            return value * 1024
        }
        return 0
    }
}

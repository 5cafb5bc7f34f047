import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One program run to completion with its wall time and peak resident memory (`wait4`'s rusage,
/// which counts that process alone, not the other children of the bench).
struct ChildRun {
    var status: Int32
    var seconds: Double
    var peakBytes: Int

    var succeeded: Bool { status == 0 }

    /// Runs `path` with its stdout and stderr appended to `log`.
    static func run(_ path: String, _ arguments: [String], log: String) throws -> ChildRun {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let started = Date()
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw CLIError("bench: cannot start \(path): \(String(cString: strerror(spawned)))", fix: "check that it is executable")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = Date().timeIntervalSince(started)
        // The exit code when it exited (low 7 bits zero), else 128 + the signal, as shells report it.
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ChildRun(status: code, seconds: seconds, peakBytes: usage.ru_maxrss * 1024)
    }
}

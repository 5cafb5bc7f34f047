import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The only place that writes to the terminal. Results go to stdout; diagnostics, progress and
/// errors to stderr, so `--output json` stays parseable.
enum Terminal {
    static func out(_ text: String = "", terminator: String = "\n") { print(text, terminator: terminator) }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func error(_ message: String, fix: String? = nil) {
        err("error: \(message)" + (fix.map { "; \($0)" } ?? ""))
    }

    static func warning(_ message: String) { err("warning: \(message)") }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// A progress line that rewrites itself on a terminal and stays silent elsewhere (logs, CI).
    static func progress(_ text: String, done: Bool = false) {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text + (done ? "\n" : "")).utf8))
    }
}

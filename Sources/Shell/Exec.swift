import Foundation
import CSystemShims

/// What a finished program said.
public struct ExecResult: Sendable, CustomStringConvertible {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var succeeded: Bool { status == 0 }

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// The last non-empty lines of stderr (else stdout): what an error message quotes.
    public var tail: String {
        let text = stderr.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? stdout : stderr
        return text.split(separator: "\n").suffix(3).joined(separator: " / ")
    }

    public var description: String { "exit \(status): \(tail)" }
}

/// hardway's way to run programs on the box: absolute paths found once, output captured, no shell.
public enum Exec {
    static let searchPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    /// The absolute path of a program, or nil when the box does not have it.
    public static func find(_ name: String) -> String? {
        searchPath.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a program to completion. A program that is not installed is an error naming it.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String], input: String? = nil,
                           environment: [String: String] = [:]) throws -> ExecResult {
        try run(program, arguments, data: input.map { Data($0.utf8) }, environment: environment)
    }

    /// Runs a program with `data` on its stdin (any size: its output goes to files, so it never
    /// blocks on a full pipe while we write).
    public static func run(_ program: String, _ arguments: [String], data: Data?,
                           environment: [String: String] = [:]) throws -> ExecResult {
        guard let path = program.hasPrefix("/") ? program : find(program) else {
            throw ShellError("\(program) is not installed on this box", fix: "install it with apt-get (`hardway lab up --install-prerequisites` installs what the lab needs)",
                             code: .notInstalled)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        env["LC_ALL"] = "C"
        process.environment = env
        let base = NSTemporaryDirectory() + "hardway-exec-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = data == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let data {
            stdin.fileHandleForWriting.write(data)
            try? stdin.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        return ExecResult(status: process.terminationStatus,
                          stdout: (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? "",
                          stderr: (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")
    }

    /// Runs a program that must succeed; its failure becomes an error that quotes it.
    @discardableResult
    public static func check(_ program: String, _ arguments: [String], input: String? = nil, what: String? = nil,
                             fix: String? = nil) throws -> ExecResult {
        let result = try run(program, arguments, input: input)
        guard result.succeeded else {
            throw ShellError("\(what ?? "\(program) \(arguments.joined(separator: " "))") failed (\(result))", fix: fix)
        }
        return result
    }

    /// Starts a long-lived program in a session of its own, output appended to `log`; returns its pid.
    public static func spawnSession(_ path: String, _ arguments: [String], log: String, environment: [String: String] = [:]) throws -> pid_t {
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let pid = hardway_spawn_session(path, argv, envp, log)
        guard pid > 0 else {
            throw ShellError("cannot start \(path): \(String(cString: strerror(-pid)))", fix: "check that it is installed and executable", code: .cannotStart)
        }
        return pid_t(pid)
    }
}

/// A failure of a program hardway runs, or of the box around it: a stable code, what went wrong
/// and what to do.
public struct ShellError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable, Codable {
        /// A program hardway needs is not on this box.
        case notInstalled = "not-installed"
        /// A program ran and failed.
        case failed = "failed"
        /// A program could not be started at all.
        case cannotStart = "cannot-start"
        /// A file of this box cannot be read or written.
        case fileAccess = "file-access"
    }

    public var code: Code
    public var message: String
    public var fix: String?

    public init(_ message: String, fix: String? = nil, code: Code = .failed) {
        self.code = code
        self.message = message
        self.fix = fix
    }

    public var description: String { message + (fix.map { "; \($0)" } ?? "") }
}

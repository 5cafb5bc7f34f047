import Foundation
import CSystemShims
import Errors
#if canImport(Glibc)
import Glibc
#endif

/// What a finished program said.
public struct ExecResult: Sendable, CustomStringConvertible {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// Whether it was stopped because it ran past its time limit.
    public var timedOut: Bool
    /// Whether it stopped reading its input before all of it was written (it exited, or the link
    /// behind it broke).
    public var inputCut: Bool
    public var succeeded: Bool { status == 0 && !timedOut && !inputCut }

    public init(status: Int32, stdout: String, stderr: String, timedOut: Bool = false, inputCut: Bool = false) {
        (self.status, self.stdout, self.stderr, self.timedOut, self.inputCut) = (status, stdout, stderr, timedOut, inputCut)
    }

    /// The last non-empty lines of stderr (else stdout): what an error message quotes.
    public var tail: String {
        let text = stderr.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? stdout : stderr
        return text.split(separator: "\n").suffix(3).joined(separator: " / ")
    }

    public var description: String { "exit \(status): \(tail)" }
}

/// Where a program's stdin comes from: nothing, bytes, or a stream written as it is read (a tar
/// stream of files, never held whole in memory).
public enum ExecInput {
    case none
    case data(Data)
    case stream((ExecInputSink) throws -> Void)
}

/// The write end of a program's stdin. A program that stops reading (it exited, or the ssh link
/// behind it broke) is `ExecInputSink.Cut`, never a crash: SIGPIPE is ignored.
public struct ExecInputSink {
    let descriptor: Int32

    /// The program stopped reading its input.
    public struct Cut: Error {}

    public func write(_ data: Data) throws {
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw Cut()
                }
                offset += written
            }
        }
    }
}

/// hardway's way to run programs on the box: absolute paths found once, output captured in private
/// scratch files, no shell, and an optional time limit after which the program is stopped.
public enum Exec {
    static let searchPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    /// A program that stops reading its stdin must not end hardway with SIGPIPE: the write fails
    /// with EPIPE instead, and the caller says which host and step it was.
    private static let pipesIgnored: Void = { signal(SIGPIPE, SIG_IGN) }()

    public static func ignoreBrokenPipes() { pipesIgnored }

    /// The absolute path of a program, or nil when the box does not have it.
    public static func find(_ name: String) -> String? {
        searchPath.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a program to completion. A program that is not installed is an error naming it.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String], input: String? = nil,
                           environment: [String: String] = [:], timeout: TimeInterval? = nil) throws -> ExecResult {
        try run(program, arguments, stdin: input.map { .data(Data($0.utf8)) } ?? .none, environment: environment, timeout: timeout)
    }

    /// Runs a program with `data` on its stdin.
    public static func run(_ program: String, _ arguments: [String], data: Data?,
                           environment: [String: String] = [:], timeout: TimeInterval? = nil) throws -> ExecResult {
        try run(program, arguments, stdin: data.map { .data($0) } ?? .none, environment: environment, timeout: timeout)
    }

    /// Runs a program with `stdin` written to it as it reads (any size: its output goes to files,
    /// so it never blocks on a full pipe while we write). Past `timeout` seconds it is stopped
    /// (SIGTERM, then SIGKILL) and the result says so. An error thrown by a stream's writer stops
    /// the program and is thrown; the program no longer reading is `inputCut`.
    public static func run(_ program: String, _ arguments: [String], stdin: ExecInput,
                           environment: [String: String] = [:], timeout: TimeInterval? = nil) throws -> ExecResult {
        ignoreBrokenPipes()
        guard let path = program.hasPrefix("/") ? program : find(program) else {
            throw ShellError("\(program) is not installed on this box", fix: "install it with apt-get (`hardway lab up --install-prerequisites` installs what the lab needs)",
                             code: .notInstalled)
        }
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        env["LC_ALL"] = "C"
        let scratch = try ScratchDirectory.shared
        let out = try scratch.file("out"), err = try scratch.file("err")
        defer {
            unlink(out.path)
            unlink(err.path)
            close(out.descriptor)
            close(err.descriptor)
        }
        let pipe = Pipe()
        let process = try Launch.run {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            process.environment = env
            process.standardOutput = FileHandle(fileDescriptor: out.descriptor, closeOnDealloc: false)
            process.standardError = FileHandle(fileDescriptor: err.descriptor, closeOnDealloc: false)
            if case .none = stdin { process.standardInput = FileHandle.nullDevice } else { process.standardInput = pipe }
            return process
        }
        let watchdog = Watchdog(process, timeout: timeout)
        var cut = false
        var failure: Error?
        let sink = ExecInputSink(descriptor: pipe.fileHandleForWriting.fileDescriptor)
        do {
            switch stdin {
            case .none: break
            case .data(let data): try sink.write(data)
            case .stream(let writer): try writer(sink)
            }
        } catch is ExecInputSink.Cut {
            cut = true
        } catch {
            failure = error
            process.terminate()
        }
        if case .none = stdin {} else { try? pipe.fileHandleForWriting.close() }
        process.waitUntilExit()
        watchdog.cancel()
        if let failure { throw failure }
        return ExecResult(status: process.terminationStatus, stdout: contents(out.descriptor), stderr: contents(err.descriptor),
                          timedOut: watchdog.fired, inputCut: cut)
    }

    /// A scratch file's bytes, as text (bytes that are not UTF-8 become U+FFFD, never "nothing").
    static func contents(_ descriptor: Int32) -> String {
        lseek(descriptor, 0, SEEK_SET)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs a program that must succeed; its failure becomes an error that quotes it.
    @discardableResult
    public static func check(_ program: String, _ arguments: [String], input: String? = nil, what: String? = nil,
                             fix: String? = nil, timeout: TimeInterval? = nil) throws -> ExecResult {
        let result = try run(program, arguments, input: input, timeout: timeout)
        guard result.succeeded else {
            let why = result.timedOut ? "did not finish within \(Int(timeout ?? 0)) s" : "failed (\(result))"
            throw ShellError("\(what ?? "\(program) \(arguments.joined(separator: " "))") \(why)", fix: fix)
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
public typealias ShellError = CodedError<ShellErrorCode>

/// What can go wrong running programs and touching this box's files, by stable name.
public enum ShellErrorCode: String, ErrorCode {
    /// A program hardway needs is not on this box.
    case notInstalled = "not-installed"
    /// A program ran and failed.
    case failed = "failed"
    /// A program could not be started at all.
    case cannotStart = "cannot-start"
    /// A file of this box cannot be read or written.
    case fileAccess = "file-access"
}

extension CodedError where Code == ShellErrorCode {
    /// A program's failure (the code says otherwise when it is another kind of failure).
    public init(_ message: String, fix: String? = nil, code: ShellErrorCode = .failed) {
        self.init(code, message, fix: fix)
    }
}

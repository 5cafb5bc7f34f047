import Foundation
import Shell

/// How to reach the cluster's hosts: what the cluster file's `ssh:` section says, plus the
/// cluster's known_hosts (strict host-key checking is never switched off).
public struct SSHSettings: Sendable {
    public var user: String
    public var port: Int
    public var identityFile: String?
    public var knownHosts: String
    public var bastion: String?
    /// Where each host's log goes: `<logs>/<host>.log`.
    public var logDirectory: String
    /// Where the multiplexed connections' sockets live (see SSHControl): checked before every use.
    public var controlDirectory: String

    public init(user: String, port: Int = 22, identityFile: String? = nil, knownHosts: String, bastion: String? = nil,
                logDirectory: String, controlDirectory: String = SSHControl.directory) {
        self.user = user
        self.port = port
        self.identityFile = identityFile
        self.knownHosts = knownHosts
        self.bastion = bastion
        self.logDirectory = logDirectory
        self.controlDirectory = controlDirectory
    }
}

/// A host reached with the system's OpenSSH client: BatchMode, strict host-key checking against
/// the cluster's known_hosts, ControlMaster multiplexing in a directory only this user can enter,
/// ProxyCommand through the bastion, a time limit on every command.
public final class OpenSSHHost: RemoteHost, Sendable {
    public let name: String
    public let address: String
    public let settings: SSHSettings
    private let logLock = NSLock()

    public init(name: String, address: String, settings: SSHSettings) {
        self.name = name
        self.address = address
        self.settings = settings
    }

    public var logFile: String { "\(settings.logDirectory)/\(name).log" }

    /// This connection's master socket.
    public var controlSocket: String {
        SSHControl.socket(user: settings.user, address: address, port: settings.port, in: settings.controlDirectory)
    }

    /// The ssh options and the destination, in the order they are passed (`--` before the
    /// destination: nothing in it is ever read as an option).
    public var sshArguments: [String] {
        var arguments = ["-o", "ControlMaster=auto", "-o", "ControlPath=\(controlSocket)", "-o", "ControlPersist=60",
                         "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=4",
                         // AES-GCM first (hardware AES): binaries stream about a fifth faster than
                         // with OpenSSH's default chacha20-poly1305; the rest of the defaults follow.
                         "-o", "Ciphers=^aes128-gcm@openssh.com,aes256-gcm@openssh.com", "-p", String(settings.port)] + commonArguments
        if let bastion = settings.bastion {
            // ProxyCommand rather than -J: options given to ssh apply to the destination only, so
            // a ProxyJump would check the bastion against ~/.ssh/known_hosts with other keys. ssh
            // hands ProxyCommand to `sh -c`: every word is quoted, whatever it holds.
            let (host, port) = Self.splitPort(bastion)
            let jump = ["ssh"] + commonArguments + (port.map { ["-p", $0] } ?? []) + ["-W", "%h:%p", "--", host]
            arguments += ["-o", "ProxyCommand=" + jump.map { $0 == "%h:%p" ? $0 : Self.proxyQuote($0) }.joined(separator: " ")]
        }
        return arguments + ["--", "\(settings.user)@\(address)"]
    }

    /// A ProxyCommand word: quoted for sh, and `%` doubled, since ssh expands `%` tokens in it first.
    static func proxyQuote(_ word: String) -> String {
        shellQuote(word.replacingOccurrences(of: "%", with: "%%"))
    }

    /// What both the connection and the bastion hop use: no prompts, strict host keys against the
    /// cluster's known_hosts, the cluster's key.
    var commonArguments: [String] {
        var arguments = ["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=\(settings.knownHosts)",
                         "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR"]
        if let identity = settings.identityFile { arguments += ["-i", identity, "-o", "IdentitiesOnly=yes"] }
        return arguments
    }

    /// `user@host:port` → (`user@host`, port); no port → nil.
    static func splitPort(_ target: String) -> (String, String?) {
        guard let colon = target.lastIndex(of: ":"), !target[target.index(after: colon)...].isEmpty,
              target[target.index(after: colon)...].allSatisfy(\.isNumber) else { return (target, nil) }
        return (String(target[..<colon]), String(target[target.index(after: colon)...]))
    }

    var asRoot: String { settings.user == "root" ? "" : "sudo -n " }

    /// The control directory and socket are this user's, or nothing is run.
    func checkControl() throws {
        do {
            try SSHControl.prepare(settings.controlDirectory, socket: controlSocket)
        } catch let error as ShellError {
            throw RemoteError(.refused, host: name, step: "connecting", result: ExecResult(status: -1, stdout: "", stderr: error.message), fix: error.fix)
        }
    }

    public func run(_ script: String, input: Data?, timeout: TimeInterval) throws -> ExecResult {
        try ssh(script, stdin: input.map { .data($0) } ?? .none, timeout: timeout, step: Self.firstLine(script))
    }

    func ssh(_ script: String, stdin: ExecInput, timeout: TimeInterval, step: String) throws -> ExecResult {
        try checkControl()
        let started = Date()
        let result = try Exec.run("ssh", sshArguments + [asRoot + "sh -c " + shellQuote(script)], stdin: stdin, timeout: timeout)
        log(script, result: result, seconds: Date().timeIntervalSince(started))
        if result.timedOut {
            throw RemoteError(.timedOut, host: name, step: "\(step) (limit \(Int(timeout)) s)", result: result,
                              fix: "check that \(name) answers (`ssh` to it; its load, its disk); the host's log is \(logFile)")
        }
        // ssh says "No ED25519 host key is known for …" when the file has no key for the host at all.
        if result.status == 255, result.stderr.contains("host key is known for") {
            throw RemoteError(.hostKeyUnknown, host: name, step: "connecting", result: result,
                              fix: "\(settings.knownHosts) has no host key for \(address); `hardway infra apply` writes the AWS instances' keys from their consoles and `hardway lab up` the lab machines'; for another machine add its key yourself, read over a path you trust")
        }
        if result.status == 255, result.stderr.contains("Host key verification failed") || result.stderr.contains("REMOTE HOST IDENTIFICATION") {
            throw RemoteError(.hostKeyMismatch, host: name, step: "connecting", result: result,
                              fix: "the host key of \(address) is not the one in \(settings.knownHosts); check the machine, then correct that file (AWS instances: `hardway infra apply` writes it from their consoles; lab machines: `hardway lab up`)")
        }
        if result.status == 255 {
            throw RemoteError(.unreachable, host: name, step: "connecting", result: result,
                              fix: "check that \(settings.user)@\(address):\(settings.port) is reachable with \(settings.identityFile ?? "your ssh agent's keys"), and that its key is in \(settings.knownHosts)")
        }
        return result
    }

    /// The files as one tar stream read from memory and this box's files as it is sent; each lands
    /// under a temporary name, is synced, then renamed into place (StagedUpload).
    public func upload(_ files: [RemoteFile]) throws {
        guard !files.isEmpty else { return }
        let staged = StagedUpload(files)
        let bytes = try files.reduce(UInt64(0)) { $0 + (try $1.size()) }
        let step = "writing \(files.count) file\(files.count == 1 ? "" : "s")"
        // At least a minute, and time for 1 MB/s.
        let limit = max(60, TimeInterval(bytes) / 1_000_000)
        let result: ExecResult
        do {
            result = try ssh(staged.script, stdin: .stream { sink in try Tar.write(staged.files) { try sink.write($0) } }, timeout: limit, step: step)
        } catch let error as Tar.Unreadable {
            throw RemoteError(host: name, step: step, result: ExecResult(status: -1, stdout: "", stderr: error.description), fix: "check its permissions; nothing was replaced on \(name)")
        }
        guard result.succeeded else {
            throw RemoteError(result.inputCut ? .linkCut : .stepFailed, host: name, step: step, result: result,
                              fix: "nothing was replaced on \(name) (files land whole or not at all); see \(logFile), then run again")
        }
    }

    public func download(_ path: String, to local: String) throws {
        guard let ssh = Exec.find("ssh") else { throw ShellError("ssh is not installed on this box", fix: "install openssh-client", code: .notInstalled) }
        try checkControl()
        let started = Date()
        FileManager.default.createFile(atPath: local, contents: nil, attributes: [.posixPermissions: 0o600])
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: local))
        let errors = Pipe()
        let process = try Launch.run {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ssh)
            process.arguments = sshArguments + [asRoot + "cat " + shellQuote(path)]
            process.standardOutput = output
            process.standardError = errors
            process.standardInput = FileHandle.nullDevice
            return process
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try output.close()
        let result = ExecResult(status: process.terminationStatus, stdout: "", stderr: message)
        log("cat \(path) > \(local)", result: result, seconds: Date().timeIntervalSince(started))
        guard result.succeeded else {
            try? FileManager.default.removeItem(atPath: local)
            throw RemoteError(host: name, step: "copying \(path) to this box", result: result, fix: "see \(logFile)")
        }
    }

    static func firstLine(_ script: String) -> String {
        let first = script.split(separator: "\n").first.map(String.init) ?? ""
        return first.count > 80 ? String(first.prefix(77)) + "…" : first
    }

    /// Appends the command (its first line), its exit code and time, and the last lines of its
    /// stderr to `<logs>/<host>.log` (0600). Never stdout: it can hold secrets (etcdctl's JSON of
    /// raw secret values, keys read back).
    func log(_ script: String, result: ExecResult, seconds: Double) {
        let first = script.split(separator: "\n").first.map(String.init) ?? ""
        var text = String(format: "%@ $ %@%@\n  exit %d in %.2f s%@\n", ISO8601DateFormatter().string(from: Date()), first,
                          script.contains("\n") ? " …" : "", result.status, seconds, result.timedOut ? " (stopped: time limit)" : "")
        if !result.stderr.isEmpty {
            text += result.stderr.split(separator: "\n").suffix(20).map { "  err| \($0)" }.joined(separator: "\n") + "\n"
        }
        logLock.lock()
        defer { logLock.unlock() }
        try? FileManager.default.createDirectory(atPath: settings.logDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let descriptor = open(logFile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
    }

    /// The last lines of this host's log, for an error message.
    public func logTail(_ lines: Int = 6) -> String {
        ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

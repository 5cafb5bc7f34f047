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
    /// One multiplexed connection per host (%C: a hash of user, host and port), kept 60 s after use.
    public var controlPath: String

    public init(user: String, port: Int = 22, identityFile: String? = nil, knownHosts: String, bastion: String? = nil,
                logDirectory: String, controlPath: String = SSHControl.path) {
        self.user = user
        self.port = port
        self.identityFile = identityFile
        self.knownHosts = knownHosts
        self.bastion = bastion
        self.logDirectory = logDirectory
        self.controlPath = controlPath
    }
}

/// A host reached with the system's OpenSSH client: BatchMode, strict host-key checking against
/// the cluster's known_hosts, ControlMaster multiplexing, ProxyJump through the bastion.
public final class OpenSSHHost: RemoteHost, @unchecked Sendable {
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

    /// The ssh options, in the order they are passed.
    public var sshArguments: [String] {
        var arguments = ["-o", "ControlMaster=auto", "-o", "ControlPath=\(settings.controlPath)", "-o", "ControlPersist=60",
                         "-o", "ServerAliveInterval=15", "-p", String(settings.port)] + commonArguments
        if let bastion = settings.bastion {
            // ProxyCommand rather than -J: options given to ssh apply to the destination only, so
            // a ProxyJump would check the bastion against ~/.ssh/known_hosts with other keys.
            let (host, port) = Self.splitPort(bastion)
            let jump = ["ssh"] + commonArguments + (port.map { ["-p", $0] } ?? []) + ["-W", "%h:%p", host]
            arguments += ["-o", "ProxyCommand=" + jump.map { $0.contains(" ") || $0.contains("'") ? shellQuote($0) : $0 }.joined(separator: " ")]
        }
        return arguments + ["\(settings.user)@\(address)"]
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

    public func run(_ script: String, input: Data?) throws -> ExecResult {
        let started = Date()
        let result = try Exec.run("ssh", sshArguments + ["--", asRoot + "sh -c " + shellQuote(script)], data: input)
        log(script, result: result, seconds: Date().timeIntervalSince(started))
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

    public func upload(_ files: [RemoteFile]) throws {
        guard !files.isEmpty else { return }
        let archive = try Tar.archive(files)
        let result = try run("tar -x -p -f - -C /", input: archive)
        guard result.succeeded else {
            throw RemoteError(host: name, step: "writing \(files.count) files", result: result, fix: "see \(logFile)")
        }
    }

    public func download(_ path: String, to local: String) throws {
        guard let ssh = Exec.find("ssh") else { throw ShellError("ssh is not installed on this box", fix: "install openssh-client", code: .notInstalled) }
        let started = Date()
        FileManager.default.createFile(atPath: local, contents: nil, attributes: [.posixPermissions: 0o600])
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: local))
        let errors = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ssh)
        process.arguments = sshArguments + ["--", asRoot + "cat " + shellQuote(path)]
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
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

    /// Appends the command (its first line) and the outcome to `<logs>/<host>.log`; never file contents.
    func log(_ script: String, result: ExecResult, seconds: Double) {
        let first = script.split(separator: "\n").first.map(String.init) ?? ""
        var text = String(format: "%@ $ %@%@\n  exit %d in %.2f s\n", ISO8601DateFormatter().string(from: Date()), first,
                          script.contains("\n") ? " …" : "", result.status, seconds)
        for (label, stream) in [("out", result.stdout), ("err", result.stderr)] where !stream.isEmpty {
            text += stream.split(separator: "\n").suffix(20).map { "  \(label)| \($0)" }.joined(separator: "\n") + "\n"
        }
        logLock.lock()
        defer { logLock.unlock() }
        try? FileManager.default.createDirectory(atPath: settings.logDirectory, withIntermediateDirectories: true)
        if let handle = FileHandle(forWritingAtPath: logFile) ?? {
            _ = FileManager.default.createFile(atPath: logFile, contents: nil)
            return FileHandle(forWritingAtPath: logFile)
        }() {
            handle.seekToEndOfFile()
            handle.write(Data(text.utf8))
            try? handle.close()
        }
    }

    /// The last lines of this host's log, for an error message.
    public func logTail(_ lines: Int = 6) -> String {
        ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

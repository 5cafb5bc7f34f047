import Foundation
import Shell
import Testing
import TestSupport

/// The output of a finished program.
struct Run: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String
    var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

enum Program {
    /// The `hardway` binary SwiftPM built next to this test bundle.
    static var hardway: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return ((exe as NSString).deletingLastPathComponent as NSString).appendingPathComponent("hardway")
    }

    /// A program from PATH; a missing one fails the test with the command that installs it.
    static func tool(_ name: String) throws -> String {
        for directory in ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin", "/sbin"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        throw ToolMissing(name: name)
    }

    struct ToolMissing: Error, CustomStringConvertible {
        var name: String
        var description: String { "\(name) is not installed: run .ci/run, which installs every program the tests use" }
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], in directory: String, input: String? = nil,
                    environment: [String: String] = [:]) throws -> Run {
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        let outPath = NSTemporaryDirectory() + "hardway-out-" + UUID().uuidString
        let errPath = outPath + ".err"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer { try? output.close(); try? errors.close() }
        let stdin = Pipe()
        // One launch at a time, and again on ETXTBSY (a stand-in script written a moment before).
        let process = try Launch.run {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.environment = env
            process.standardOutput = output
            process.standardError = errors
            process.standardInput = stdin
            return process
        }
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        return Run(status: process.terminationStatus,
                   stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                   stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    @discardableResult
    static func hardway(_ arguments: [String], in directory: String, input: String? = nil) throws -> Run {
        try run(hardway, arguments, in: directory, input: input)
    }

    static func openssl(_ arguments: [String], in directory: String, input: String? = nil) throws -> Run {
        try run(try tool("openssl"), arguments, in: directory, input: input)
    }

    /// A pipeline through the shell, as the tutorials run cfssl (`cfssl gencert … | cfssljson -bare x`).
    static func shell(_ command: String, in directory: String) throws -> Run {
        try run("/bin/sh", ["-c", command], in: directory)
    }
}

enum Scratch {
    static func directory() throws -> String {
        try TemporaryDirectory.make("hardway-cli")
    }

    static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    static func example(_ name: String) -> String { "\(repository)/examples/\(name).yaml" }

    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}

/// What `openssl x509 -text` says about a certificate: the independent reading of our output.
struct OpenSSLView: Equatable {
    var subject: String
    var sans: [String]
    var keyUsage: [String]
    var extendedKeyUsage: [String]
    var basicConstraints: String
    /// "rsaEncryption (2048 bit)", "id-ecPublicKey (256 bit)".
    var publicKey: String
    var hasSubjectKeyIdentifier: Bool
    var hasAuthorityKeyIdentifier: Bool
    var notBefore: Date
    var notAfter: Date
    var validity: TimeInterval { notAfter.timeIntervalSince(notBefore) }

    init(file: String, in directory: String) throws {
        let subjectRun = try Program.openssl(["x509", "-in", file, "-noout", "-subject", "-nameopt", "RFC2253"], in: directory)
        guard subjectRun.status == 0 else { throw OpenSSLFailure(run: subjectRun) }
        subject = subjectRun.stdout.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "subject=", with: "")
        let text = try Program.openssl(["x509", "-in", file, "-noout", "-text"], in: directory).stdout
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        func after(_ header: String) -> String? {
            guard let index = lines.firstIndex(where: { $0.hasPrefix(header) }), index + 1 < lines.count else { return nil }
            return lines[index + 1]
        }
        func list(_ value: String?) -> [String] {
            value.map { $0.components(separatedBy: ", ").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        }
        sans = list(after("X509v3 Subject Alternative Name"))
        keyUsage = list(after("X509v3 Key Usage"))
        extendedKeyUsage = list(after("X509v3 Extended Key Usage"))
        basicConstraints = after("X509v3 Basic Constraints") ?? ""
        let algorithm = lines.first { $0.hasPrefix("Public Key Algorithm: ") }?.dropFirst("Public Key Algorithm: ".count) ?? ""
        let size = lines.first { $0.hasPrefix("Public-Key: ") }?.dropFirst("Public-Key: ".count) ?? ""
        publicKey = "\(algorithm) \(size)"
        hasSubjectKeyIdentifier = lines.contains { $0.hasPrefix("X509v3 Subject Key Identifier") }
        hasAuthorityKeyIdentifier = lines.contains { $0.hasPrefix("X509v3 Authority Key Identifier") }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "MMM d HH:mm:ss yyyy zzz"
        func date(_ prefix: String) throws -> Date {
            guard let line = lines.first(where: { $0.hasPrefix(prefix) }),
                  let date = formatter.date(from: line.dropFirst(prefix.count).split(separator: " ").joined(separator: " ")) else {
                throw OpenSSLFailure(run: Run(status: 0, stdout: text, stderr: "no \(prefix)"))
            }
            return date
        }
        notBefore = try date("Not Before: ")
        notAfter = try date("Not After : ")
    }

    struct OpenSSLFailure: Error, CustomStringConvertible {
        var run: Run
        var description: String { "openssl failed: \(run)" }
    }
}

/// Where a long lab test's time goes: each step printed with the seconds since the test began.
struct Stopwatch {
    let started = Date()
    func stamp(_ text: String) { print(String(format: "[%6.1f s] %@", Date().timeIntervalSince(started), text)) }
}

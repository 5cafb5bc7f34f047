import Foundation
import Testing
@testable import Infra

/// The host keys `infra apply` pins: read from consoles cloud-init really printed (Fixtures/, made by
/// cloud-init's own module on fresh ssh-keygen host keys; cloud-init-keys-to-console.sh says how).
/// The noise around the block is added here, by hand, each kind named; the block itself is never
/// written by hand.
@Suite struct HostKeyTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The first boot's console, and the one of cloud-init run again (new keys).
    static func console(again: Bool = false) throws -> String {
        let name = again ? "cloud-init-keys-to-console-again.txt" : "cloud-init-keys-to-console.txt"
        return try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    /// The SHA256 fingerprints cloud-init printed in its FINGERPRINTS block.
    static func printedFingerprints(_ console: String) -> Set<String> {
        Set(console.split(separator: " ").filter { $0.hasPrefix("SHA256:") }.map(String.init))
    }

    static func types(_ keys: [String]) -> [String] { keys.map { String($0.split(separator: " ")[0]) } }

    // MARK: - The console

    @Test func theKeysCloudInitPrintedAreTheOnesItsFingerprintsName() throws {
        let console = try Self.console()
        let keys = ConsoleHostKeys.parse(console)
        #expect(Self.types(keys) == ["ecdsa-sha2-nistp256", "ssh-ed25519", "ssh-rsa"])
        // ssh-keygen, not this code, says which keys they are: exactly the three cloud-init fingerprinted.
        #expect(try SSHKeygen.fingerprints(of: keys) == Self.printedFingerprints(console))
        #expect(!keys.contains { $0.contains("root@") }, "the comment is not part of the key")
        #expect(ConsoleHostKeys.parse(try Self.console(again: true)) != keys, "the second capture has keys of its own")
    }

    @Test func crlfAndPrefixesAsOnRealConsolesReadTheSameKeys() throws {
        let console = try Self.console()
        let keys = ConsoleHostKeys.parse(console)
        #expect(ConsoleHostKeys.parse(console.replacingOccurrences(of: "\n", with: "\r\n")) == keys)
        // Older Amazon Linux consoles carry `ec2: ` on cloud-init's lines; kernels timestamp theirs.
        let lines = console.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(ConsoleHostKeys.parse(lines.map { "ec2: " + $0 }.joined(separator: "\n")) == keys)
        #expect(ConsoleHostKeys.parse(lines.map { "[   31.337002] cloud-init[812]: " + $0 }.joined(separator: "\r\n")) == keys)
    }

    @Test func kernelLinesInsideTheBlockAreSkippedAndAKeyTheyCutIsDropped() throws {
        let console = try Self.console()
        let keys = ConsoleHostKeys.parse(console)
        var lines = console.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let begin = try #require(lines.firstIndex { $0.contains("BEGIN SSH HOST KEY KEYS") })
        lines.insert("[   31.337002] random: crng init done", at: begin + 1)
        #expect(ConsoleHostKeys.parse(lines.joined(separator: "\n")) == keys)
        // A kernel message printed in the middle of the RSA line splits it in two: neither half is a key.
        let rsa = try #require(lines.firstIndex { $0.hasPrefix("ssh-rsa ") })
        let line = lines[rsa]
        lines[rsa] = String(line.prefix(120)) + "[   31.412000] audit: type=1400 audit(1700000000.123:42): apparmor=\"STATUS\""
        lines.insert(String(line.dropFirst(120)), at: rsa + 1)
        #expect(ConsoleHostKeys.parse(lines.joined(separator: "\n")) == Array(keys.prefix(2)))
    }

    @Test func theLastCompleteBlockCounts() throws {
        let first = try Self.console()
        let again = try Self.console(again: true)
        let reboot = "\n[    0.000000] Linux version 6.1.0-28-cloud-amd64 (debian-kernel@lists.debian.org)\n"
        // cloud-init run again printed new keys: those are the host's now.
        #expect(ConsoleHostKeys.parse(first + reboot + again) == ConsoleHostKeys.parse(again))
        // A block still being printed (or cut by the end of what EC2 keeps) is not one yet.
        let end = try #require(again.range(of: "-----END SSH HOST KEY KEYS"))
        let unfinished = String(again[..<end.lowerBound])
        #expect(ConsoleHostKeys.parse(first + reboot + unfinished) == ConsoleHostKeys.parse(first))
        #expect(ConsoleHostKeys.parse(unfinished).isEmpty)
        // EC2 keeps the last 64 KB: a block whose start is cut off says nothing about the other keys.
        let begin = try #require(first.range(of: "BEGIN SSH HOST KEY KEYS-----\n"))
        let cut = String(first[begin.upperBound...])
        #expect(ConsoleHostKeys.parse(cut).isEmpty)
    }

    @Test func aConsoleWithoutTheKeysBlockHasNoKeys() throws {
        #expect(ConsoleHostKeys.parse("").isEmpty)
        // Every key type in ssh_key_console_blacklist: the helper prints fingerprints only.
        let console = try Self.console()
        let begin = try #require(console.range(of: "-----BEGIN SSH HOST KEY KEYS"))
        let fingerprintsOnly = String(console[..<begin.lowerBound])
        #expect(Self.printedFingerprints(fingerprintsOnly).count == 3)
        #expect(ConsoleHostKeys.parse(fingerprintsOnly).isEmpty)
        // Text that only looks like a key: a type with base64 that is not a key blob of that type.
        let ed25519 = try #require(ConsoleHostKeys.parse(console).first { $0.hasPrefix("ssh-ed25519 ") })
        let relabelled = "-----BEGIN SSH HOST KEY KEYS-----\nssh-rsa \(ed25519.dropFirst("ssh-ed25519 ".count))\nssh-rsa bm90IGEga2V5\n-----END SSH HOST KEY KEYS-----\n"
        #expect(ConsoleHostKeys.parse(relabelled).isEmpty)
    }
}

/// OpenSSH's ssh-keygen as the judge of keys and known_hosts files.
enum SSHKeygen {
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ssh-keygen"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// `ssh-keygen -l`: each key's SHA256 fingerprint.
    static func fingerprints(of keys: [String]) throws -> Set<String> {
        let file = try Scratch.file(keys.joined(separator: "\n") + "\n")
        let result = try run(["-l", "-E", "sha256", "-f", file])
        #expect(result.status == 0, "ssh-keygen -l refused the keys: \(result.stdout)")
        return Set(result.stdout.split(whereSeparator: \.isWhitespace).filter { $0.hasPrefix("SHA256:") }.map(String.init))
    }
}

/// Files for one test, under the system's temporary directory.
enum Scratch {
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "hardway-hostkeys-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func file(_ text: String) throws -> String {
        let path = try directory() + "/file"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

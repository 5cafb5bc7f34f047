import AWS
import ClusterModel
import Foundation
import Shell
import Remote
import Testing
import TestSupport
@testable import Infra

/// The host keys `infra apply` pins: read from consoles cloud-init really printed (Fixtures/, made by
/// cloud-init's own module on fresh ssh-keygen host keys; cloud-init-keys-to-console.sh says how),
/// and written to the known_hosts ssh-keygen then reads. The noise around the block is added here,
/// by hand, each kind named; the block itself is never written by hand.
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

    // MARK: - What apply does with them

    static let keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFtpcbwVvkJEywzTlqA7taPf9GM3UpR6nPMRxt6VxFfj", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCd"]

    @Test func theStepForEachInstanceFollowsTheStateAndTheFile() {
        let pinned = PinnedHostKeys(instance: "i-1", name: "54.1.2.3", keys: Self.keys)
        let written = HostKeyStep.knownHosts("", writing: pinned, host: "master-0", replacing: nil)
        #expect(HostKeyStep.decide(instance: "i-1", name: "54.1.2.3", recorded: pinned, knownHosts: written) == .keep(pinned))
        // A stop and start gave it a new public address: the recorded keys, under the new name.
        #expect(HostKeyStep.decide(instance: "i-1", name: "54.1.2.9", recorded: pinned, knownHosts: written)
                == .rewrite(PinnedHostKeys(instance: "i-1", name: "54.1.2.9", keys: Self.keys)))
        // The lines were removed from the file: written again from the state.
        #expect(HostKeyStep.decide(instance: "i-1", name: "54.1.2.3", recorded: pinned, knownHosts: "github.com ssh-ed25519 GH\n") == .rewrite(pinned))
        // A new instance for the host: its own keys, whatever the file holds from the old one.
        #expect(HostKeyStep.decide(instance: "i-2", name: "54.1.2.3", recorded: pinned, knownHosts: written) == .read)
        #expect(HostKeyStep.decide(instance: "i-2", name: "54.1.2.3", recorded: nil, knownHosts: "") == .read)
        // Keys someone put there for the name: theirs, not waited for.
        let byHand = "54.1.2.3 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBYHAND\n"
        #expect(HostKeyStep.decide(instance: "i-2", name: "54.1.2.3", recorded: nil, knownHosts: byHand) == .byHand)
        #expect(HostKeyStep.decide(instance: "i-2", name: "54.1.2.3", recorded: pinned, knownHosts: byHand) == .byHand)
        #expect(HostKeyStep.decide(instance: "i-2", name: "[54.1.2.3]:2222", recorded: nil, knownHosts: byHand) == .read, "another port is another name")
    }

    @Test func knownHostsGetsALinePerKeyReplacingTheAddressesOldLinesAndSSHKeygenFindsThem() throws {
        let keys = ConsoleHostKeys.parse(try Self.console())
        let existing = """
        github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl
        # a note someone wrote
        @cert-authority *.corp.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBYCA
        54.1.2.3 ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCOLD
        54.9.9.9 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPREVIOUS

        """
        let previous = PinnedHostKeys(instance: "i-1", name: "54.9.9.9", keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPREVIOUS"])
        let pinned = PinnedHostKeys(instance: "i-1", name: "54.1.2.3", keys: keys)
        let text = HostKeyStep.knownHosts(existing, writing: pinned, host: "master-0", replacing: previous)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(Array(lines.prefix(3)) == Array(existing.split(separator: "\n").prefix(3)).map(String.init), "other hosts, comments and markers stay")
        #expect(!text.contains("OLD") && !text.contains("PREVIOUS"))
        #expect(Array(lines.suffix(3)) == keys.map { "54.1.2.3 \($0) master-0 i-1" })

        let file = try Scratch.file(text)
        // OpenSSH's own lookup: the three keys under the address, nothing left under the old one.
        #expect(try SSHKeygen.find("54.1.2.3", in: file) == Set(keys))
        #expect(try SSHKeygen.find("54.9.9.9", in: file).isEmpty)
        #expect(try SSHKeygen.find("github.com", in: file).count == 1)

        // Off port 22 ssh looks up `[address]:port`.
        let ported = HostKeyStep.knownHosts("", writing: PinnedHostKeys(instance: "i-1", name: KnownHosts.name("54.1.2.3", port: 2222), keys: keys),
                                            host: "master-0", replacing: nil)
        let portedFile = try Scratch.file(ported)
        #expect(try SSHKeygen.find("[54.1.2.3]:2222", in: portedFile) == Set(keys))
        #expect(try SSHKeygen.find("54.1.2.3", in: portedFile).isEmpty)
    }

    /// A provisioner for the aws example (or `text`) that calls `endpoint`; with the default, nothing
    /// answers: pin and forget touch only files.
    func provisioner(directory: String, state: InfraState? = nil, text: String? = nil,
                     endpoint: String = "http://127.0.0.1:1") throws -> InfraProvisioner {
        let text = try text ?? String(contentsOf: Fixture.repository.appendingPathComponent("examples/aws.yaml"), encoding: .utf8)
        let cluster = try #require(ClusterResolver.resolve(text: text).cluster)
        let client = AWSQueryClient(credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "unused"),
                                    endpoints: AWSEndpoints(region: "us-east-2", override: endpoint), maxAttempts: 1)
        let provisioner = InfraProvisioner(design: try InfraDesign.make(for: cluster), client: client, directory: directory, state: state,
                                           identityFile: "\(directory)/id_rsa", dryRun: false)
        provisioner.hostKeys = HostKeyPinning(spec: ClusterFileParser.parse(text).spec, timeout: 60)
        return provisioner
    }

    /// The aws example with one controller and one worker.
    var twoHosts: String {
        get throws {
            let text = try String(contentsOf: Fixture.repository.appendingPathComponent("examples/aws.yaml"), encoding: .utf8)
            return text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { line in !["master-1", "master-2", "worker-1", "worker-2"].contains { line.contains("name: \($0),") } }
                .joined(separator: "\n")
        }
    }

    /// GetConsoleOutput's answer, the console base64 in `output` as EC2 sends it.
    static func consoleAnswer(_ console: String) -> String {
        "<GetConsoleOutputResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r</requestId><instanceId>i</instanceId>"
            + "<timestamp>2026-11-29T12:00:00.000Z</timestamp><output>\(Data(console.utf8).base64EncodedString())</output></GetConsoleOutputResponse>"
    }

    static func errorAnswer(_ code: String) -> String {
        "<Response><Errors><Error><Code>\(code)</Code><Message>m</Message></Error></Errors><RequestID>r</RequestID></Response>"
    }

    static func instance(_ id: String) -> XMLNode? { XMLNode.parse(Array("<item><instanceId>\(id)</instanceId></item>".utf8)) }

    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        func append(_ line: String?) { lock.lock(); if let line { list.append(line) }; lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return list }
    }

    @Test func theWaitReadsEachConsoleUntilItsKeysAppearAndAsksWithoutLatestWhereItIsRefused() async throws {
        let first = try Self.console()
        let again = try Self.console(again: true)
        let booting = "[    0.000000] Linux version 6.1.0-28-cloud-amd64\n[    2.100000] EXT4-fs (nvme0n1p1): mounted filesystem\n"
        // EC2 over loopback, one answer per call in the order apply makes them: master-0, then worker-0, each poll.
        let server = try ScriptedHTTPServer([
            (400, Self.errorAnswer("UnsupportedOperation")),   // master-0 with Latest: an instance without the Nitro serial console
            (200, Self.consoleAnswer(booting)),               // master-0 again without it: still booting
            (200, Self.consoleAnswer("")),                    // worker-0: nothing yet
            (200, Self.consoleAnswer(booting + first)),       // master-0, without Latest from now on: cloud-init printed its keys
            (200, Self.consoleAnswer(booting + again)),       // worker-0
        ])
        let directory = try Scratch.directory()
        var state = InfraState(cluster: "ground-up", region: "us-east-2")
        state.publicAddresses = ["master-0": "54.1.2.3", "worker-0": "54.1.2.4"]
        let provisioner = try provisioner(directory: directory, state: state, text: try twoHosts, endpoint: server.url)
        let progress = Lines()
        provisioner.progress = { progress.append($0) }

        try await provisioner.pinHostKeys(["master-0": Self.instance("i-m0"), "worker-0": Self.instance("i-w0")])

        #expect(server.requests == 5, "one call per console per poll")
        let latest = server.bodies.map { $0.contains("Action=GetConsoleOutput") && $0.contains("Latest=true") }
        #expect(latest == [true, false, true, false, true], "master-0 is asked with Latest once, worker-0 every time: \(server.bodies)")
        #expect(server.bodies.map { $0.contains("InstanceId=i-m0") } == [true, true, false, true, false])
        #expect(progress.all.contains { $0.hasPrefix("waiting for the ssh host keys of 2 instances in their consoles") }, "\(progress.all)")
        let created = provisioner.changes.filter { $0.kind == "host keys" && $0.action == .create }
        #expect(created.map(\.name) == ["master-0", "worker-0"])
        #expect(created.first?.detail == "ecdsa-sha2-nistp256, ssh-ed25519, ssh-rsa from its console, for 54.1.2.3 in \(directory)/ssh/known_hosts")
        #expect(try SSHKeygen.find("54.1.2.3", in: provisioner.knownHostsFile) == Set(ConsoleHostKeys.parse(first)))
        #expect(try SSHKeygen.find("54.1.2.4", in: provisioner.knownHostsFile) == Set(ConsoleHostKeys.parse(again)))
        let saved = try #require(try InfraState.load(directory: directory))
        #expect(saved.hostKeys?["master-0"] == PinnedHostKeys(instance: "i-m0", name: "54.1.2.3", keys: ConsoleHostKeys.parse(first)))
        #expect(saved.hostKeys?["worker-0"]?.instance == "i-w0")

        // The next apply reads no console: both are pinned and in the file.
        let next = try self.provisioner(directory: directory, state: saved, text: try twoHosts, endpoint: server.url)
        try await next.pinHostKeys(["master-0": Self.instance("i-m0"), "worker-0": Self.instance("i-w0")])
        #expect(server.requests == 5)
        #expect(next.changes.map(\.action) == [.keep, .keep])
    }

    @Test func aConsoleTheCredentialsMayNotReadSaysWhichPermission() async throws {
        let server = try ScriptedHTTPServer([(403, Self.errorAnswer("UnauthorizedOperation"))])
        var state = InfraState(cluster: "ground-up", region: "us-east-2")
        state.publicAddresses = ["master-0": "54.1.2.3", "worker-0": "54.1.2.4"]
        let provisioner = try provisioner(directory: try Scratch.directory(), state: state, text: try twoHosts, endpoint: server.url)
        do {
            try await provisioner.pinHostKeys(["master-0": Self.instance("i-m0"), "worker-0": Self.instance("i-w0")])
            Issue.record("a refused console must stop apply")
        } catch let error as InfraError {
            #expect(error.code == .consoleRefused)
            #expect(error.message.hasPrefix("reading the console of master-0 (i-m0) for its ssh host keys was refused: aws: UnauthorizedOperation"))
            #expect((error.fix ?? "").contains("ec2:GetConsoleOutput") && (error.fix ?? "").contains("--skip-host-keys"))
        }
    }

    @Test func pinningWritesTheFileWholeThenTheStateAndForgettingTakesBoth() throws {
        let directory = try Scratch.directory()
        let provisioner = try provisioner(directory: directory)
        let keys = ConsoleHostKeys.parse(try Self.console())
        let other = try #require(ConsoleHostKeys.parse(try Self.console(again: true)).last)
        try FileManager.default.createDirectory(atPath: "\(directory)/ssh", withIntermediateDirectories: true)
        // An older key for the address, and a lab machine's line.
        try "54.1.2.3 \(other)\n10.0.0.9 \(other)\n".write(toFile: "\(directory)/ssh/known_hosts", atomically: true, encoding: .utf8)

        let pinned = PinnedHostKeys(instance: "i-0abc", name: "54.1.2.3", keys: keys)
        try provisioner.pin(pinned, host: "master-0", replacing: nil)
        let file = provisioner.knownHostsFile
        #expect(file == "\(directory)/ssh/known_hosts")
        #expect(try SSHKeygen.find("54.1.2.3", in: file) == Set(keys), "the older key is gone")
        #expect(try SSHKeygen.find("10.0.0.9", in: file) == [other], "a lab machine's line stays")
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(directory)/ssh") == ["known_hosts"], "no temporary file left")
        let saved = try #require(try InfraState.load(directory: directory))
        #expect(saved.hostKeys?["master-0"] == pinned)

        // Its instance is terminated: the address goes back to AWS, and its lines with it.
        try provisioner.forgetHostKeys(of: "master-0")
        #expect(try SSHKeygen.find("54.1.2.3", in: file).isEmpty)
        #expect(try SSHKeygen.find("10.0.0.9", in: file) == [other])
        #expect(try InfraState.load(directory: directory)?.hostKeys?["master-0"] == nil)
    }

    @Test func aMissingSSHDirectoryIsMadePrivate() throws {
        let directory = try Scratch.directory()
        let provisioner = try provisioner(directory: directory)
        try provisioner.pin(PinnedHostKeys(instance: "i-0abc", name: "54.1.2.3", keys: Self.keys), host: "master-0", replacing: nil)
        let mode = try FileManager.default.attributesOfItem(atPath: "\(directory)/ssh")[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o700)
    }

    @Test func keysAreNamedWhereApplyConnects() throws {
        let directory = try Scratch.directory()
        var state = InfraState(cluster: "ground-up", region: "us-east-2")
        state.publicAddresses = ["master-0": "54.1.2.3", "master-1": "54.1.2.4"]
        let provisioner = try provisioner(directory: directory, state: state)
        var text = try String(contentsOf: Fixture.repository.appendingPathComponent("examples/aws.yaml"), encoding: .utf8)
        let spec = ClusterFileParser.parse(text).spec
        let names = try provisioner.connectNames(spec)
        #expect(names["master-0"] == "54.1.2.3", "the public address")
        #expect(names["worker-2"] == "172.31.0.22", "no public address yet: the address, as apply would")
        // sshAddress wins, and a port other than 22 is part of the name.
        text = text.replacingOccurrences(of: "  user: ubuntu\n", with: "  user: ubuntu\n  port: 2222\n")
            .replacingOccurrences(of: "roles: [controller] }\n  - { name: master-2", with: "roles: [controller], sshAddress: m1.example.com }\n  - { name: master-2")
        let changed = try provisioner.connectNames(ClusterFileParser.parse(text).spec)
        #expect(changed["master-1"] == "[m1.example.com]:2222")
        #expect(changed["master-0"] == "[54.1.2.3]:2222")
    }

    @Test func instancesWithoutKeysAreNamedWithWhatTheirConsoleSaidAndTheFix() {
        let one = InfraProvisioner.missingHostKeys([("worker-1", "i-0abc", "54.1.2.3", "boot\n[   12.0] Reached target Cloud-init target.\r\n\n")],
                                                   timeout: 600, file: "ground-up/ssh/known_hosts")
        #expect(one.code == .missingHostKeys)
        #expect(one.message.hasPrefix("the console of worker-1 (i-0abc) shows no ssh host keys within 600 s"))
        #expect(one.message.contains("ground-up/ssh/known_hosts has none for 54.1.2.3"))
        #expect(one.message.hasSuffix("its console ends: \"[   12.0] Reached target Cloud-init target.\""))
        #expect((one.fix ?? "").contains("aws ec2 get-console-output --instance-id i-0abc --latest"))
        #expect((one.fix ?? "").contains("ssh_key_console_blacklist"))
        #expect((one.fix ?? "").contains("`54.1.2.3 TYPE KEY`"))
        #expect((one.fix ?? "").contains("--host-key-timeout"))
        let empty = InfraProvisioner.missingHostKeys([("worker-1", "i-0abc", "54.1.2.3", "")], timeout: 5, file: "k")
        #expect(empty.message.hasSuffix("its console is still empty"))
        let two = InfraProvisioner.missingHostKeys([("worker-1", "i-0abc", "54.1.2.3", "x"), ("worker-2", "i-0def", "54.1.2.4", "y")], timeout: 5, file: "k")
        #expect(two.message.hasPrefix("the consoles of 2 instances show no ssh host keys within 5 s"))
        #expect(two.message.contains("worker-1 (i-0abc, 54.1.2.3), worker-2 (i-0def, 54.1.2.4)"))
        #expect(two.message.hasSuffix("the console of worker-1 ends: \"x\""))
        for error in [one, empty, two] {
            #expect(error.message.first?.isLowercase == true && error.fix?.first?.isLowercase == true)
        }
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
        try Launch.locked { try process.run() }
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

    /// `ssh-keygen -F name`: the keys (`type base64`) ssh would check `name` against.
    static func find(_ name: String, in file: String) throws -> Set<String> {
        let result = try run(["-F", name, "-f", file])
        return Set(result.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            line.split(separator: " ").dropFirst().prefix(2).joined(separator: " ")
        })
    }
}

/// Files for one test, under the system's temporary directory.
enum Scratch {
    static func directory() throws -> String {
        try TemporaryDirectory.make("hardway-hostkeys")
    }

    static func file(_ text: String) throws -> String {
        let path = try directory() + "/file"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

import Foundation
import Testing
@testable import Remote
import Shell

/// The second wall: were a hostile value to pass validation, the ssh arguments hardway builds still
/// run nothing. ssh hands ProxyCommand to `sh -c` after expanding its `%` tokens; here a stand-in
/// ssh on PATH, through that same `sh -c`, prints the words it was given.
@Suite("ssh's arguments carry hostile values as plain words")
struct SSHArgumentsTests {
    static let hostile = ["me@$(touch MARK)jump", "me@`touch MARK`", "jump;touch MARK", "jump|touch MARK", "jump\ntouch MARK",
                          "-oProxyCommand=touch MARK", "jump'; touch MARK; '", "%h%%;touch MARK", "jump$IFS&&touch${IFS}MARK"]

    func settings(bastion: String?, user: String = "root", identity: String? = nil) -> SSHSettings {
        SSHSettings(user: user, identityFile: identity, knownHosts: "/dev/null", bastion: bastion, logDirectory: "/nonexistent",
                    controlDirectory: "/run/hardway-ssh-test")
    }

    /// The ProxyCommand as ssh's `sh -c` gets it: `%h` and `%p` expanded, `%%` made `%`.
    func proxyCommand(_ arguments: [String]) throws -> String {
        let option = try #require(arguments.first { $0.hasPrefix("ProxyCommand=") })
        // One pass from the left, as ssh's percent_expand does.
        var text = "", characters = option.dropFirst("ProxyCommand=".count).makeIterator()
        while let character = characters.next() {
            guard character == "%", let token = characters.next() else { text.append(character); continue }
            switch token {
            case "h": text += "10.0.0.1"
            case "p": text += "22"
            case "%": text += "%"
            default: Issue.record("an unknown token %\(token) in the ProxyCommand")
            }
        }
        return text
    }

    @Test(arguments: hostile)
    func aHostileBastionIsOneWordToTheJump(_ bastion: String) throws {
        let directory = NSTemporaryDirectory() + "hardway-proxy-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "#!/bin/sh\nfor word in \"$@\"; do printf '%s\\n--\\n' \"$word\"; done\n".write(toFile: "\(directory)/ssh", atomically: true, encoding: .utf8)
        chmod("\(directory)/ssh", 0o755)
        let host = OpenSSHHost(name: "master-0", address: "10.0.0.1", settings: settings(bastion: bastion, identity: "/root/.ssh/%id;touch MARK"))
        let command = try proxyCommand(host.sshArguments)
        let result = try Exec.run("/bin/sh", ["-c", "cd \(shellQuote(directory)) && PATH=\(shellQuote(directory)):$PATH && " + command])
        #expect(result.succeeded, "\(result)")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/MARK"), "the bastion \(bastion.debugDescription) ran a command")
        let words = result.stdout.components(separatedBy: "\n--\n").filter { !$0.isEmpty }
        let (jumpHost, port) = OpenSSHHost.splitPort(bastion)
        #expect(words.last == jumpHost, "the jump host is its own last word: \(words)")
        #expect(words.contains("/root/.ssh/%id;touch MARK"), "the identity file is one word, its % kept: \(words)")
        if let port { #expect(words.contains(port)) }
        #expect(words.dropLast().last == "--", "nothing after -- is read as an option")
    }

    @Test("a destination that looks like an option comes after --")
    func destinationAfterDoubleDash() {
        let host = OpenSSHHost(name: "w", address: "10.0.0.1", settings: settings(bastion: nil, user: "-oProxyCommand=touch"))
        let arguments = host.sshArguments
        #expect(arguments.suffix(2) == ["--", "-oProxyCommand=touch@10.0.0.1"])
    }
}

/// hardway's ssh connections are never put where another user could have put a socket first.
@Suite("ssh control sockets: this user's directory, checked before every use")
struct SSHControlTests {
    func scratch() throws -> String {
        let directory = NSTemporaryDirectory() + "hardway-control-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("a directory made here is 0700 and this user's, and a socket path fits ssh's limit")
    func made() throws {
        let parent = try scratch()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let directory = parent + "/ssh"
        try SSHControl.prepare(directory)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory)
        #expect(attributes[.posixPermissions] as? Int == 0o700)
        #expect((attributes[.ownerAccountID] as? NSNumber)?.uint32Value == geteuid())
        #expect(SSHControl.socket(user: "root", address: "10.240.0.10", port: 22).utf8.count + 17 < 108)
    }

    @Test("a control directory others can enter, or that another user owns, is refused and never used")
    func wrongModeOrOwner() throws {
        let parent = try scratch()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let open = parent + "/open"
        mkdir(open, 0o700)
        chmod(open, 0o777)
        #expect(throws: ShellError.self) { try SSHControl.prepare(open) }
        let theirs = parent + "/theirs"
        mkdir(theirs, 0o700)
        guard geteuid() == 0 else { return }
        chown(theirs, 65534, 65534)
        let error = #expect(throws: ShellError.self) { try SSHControl.prepare(theirs) }
        #expect(error?.message.contains("not a directory of this user") == true)
        // Through a host: refused before ssh runs at all.
        let host = OpenSSHHost(name: "master-0", address: "10.0.0.1",
                               settings: SSHSettings(user: "root", knownHosts: "/dev/null", logDirectory: parent + "/logs", controlDirectory: theirs))
        let refused = #expect(throws: RemoteError.self) { try host.run("true") }
        #expect(refused?.code == .refused)
        #expect(!FileManager.default.fileExists(atPath: parent + "/logs"), "no ssh ran, so nothing was logged")
    }

    @Test("a socket another user placed at the control path is refused, and so is a file that is no socket")
    func foreignSocket() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        chmod(directory, 0o700)
        let socket = SSHControl.socket(user: "root", address: "10.0.0.1", port: 22, in: directory)
        FileManager.default.createFile(atPath: socket, contents: Data())
        #expect(throws: ShellError.self) { try SSHControl.prepare(directory, socket: socket) }
        unlink(socket)
        // A real unix socket, bound by another user.
        guard geteuid() == 0 else { return }
        let bound = try Exec.run("python3", ["-c", "import socket,os; s=socket.socket(socket.AF_UNIX); s.bind('\(socket)'); os.chown('\(socket)', 65534, 65534)"])
        #expect(bound.succeeded, "\(bound)")
        let error = #expect(throws: ShellError.self) { try SSHControl.prepare(directory, socket: socket) }
        #expect(error?.message.contains("not an ssh control socket of this user") == true)
    }
}

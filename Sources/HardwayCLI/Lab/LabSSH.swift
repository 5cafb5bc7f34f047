import ArgumentParser
import Foundation
import Lab
import Shell

/// `hardway lab ssh HOST [COMMAND…]`: a shell or a command on a machine.
struct LabSSH: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh",
        abstract: "open a shell on a machine, or run a command there",
        discussion: """
        The same as `ssh -F <dir>/ssh/config HOST COMMAND…`: the lab key, strict host-key checking. \
        As with ssh, everything from the command's first word on goes to the machine as it is, \
        options included; hardway's own options go before HOST or right after it, and `--` may end \
        them.

        Examples:
          sudo hardway lab ssh master-0 -f lab.yaml
          sudo hardway lab ssh -f lab.yaml worker-0 ping -c1 10.240.0.10
          sudo hardway lab ssh worker-0 -f lab.yaml -- ip route
        """
    )

    @OptionGroup var options: LabOptions

    @Argument(help: "the machine (a host name of the cluster file)")
    var host: String

    // Captured as it is, the way ssh takes a command: `ping -c1 10.0.0.1` needs no `--`.
    @Argument(parsing: .captureForPassthrough, help: "the command to run there, with its arguments and options")
    var command: [String] = []

    /// Like ssh, which reads its own options up to the command's first word: `-f FILE`, `--dir DIR`
    /// and `--help` right after HOST are hardway's, and `--` ends them; everything from the first
    /// other word on is the command.
    mutating func validate() throws {
        var words = command[...]
        while let word = words.first, word.hasPrefix("-") {
            words.removeFirst()
            if word == "--" { break }
            let (name, inline) = word.hasPrefix("--") && word.contains("=")
                ? (String(word.prefix { $0 != "=" }), Optional(String(word.drop { $0 != "=" }.dropFirst())))
                : (word, nil)
            switch name {
            case "-h", "--help":
                throw CleanExit.helpRequest(self)
            case "-f", "--file", "--dir":
                guard let value = inline ?? words.popFirst() else {
                    throw ValidationError("\(name) after \(host) needs a value; for a command that starts with a dash, put -- before it")
                }
                if name == "--dir" { options.directoryOptions.dir = value } else { options.cluster.file = value }
            default:
                throw ValidationError("unknown option '\(word)' after \(host); the command goes after the options (put -- before one that starts with a dash)")
            }
        }
        command = Array(words)
    }

    func run() async throws {
        try requireRoot()
        let (cluster, lab, _) = try options.lab()
        guard cluster.host(named: host) != nil else {
            throw CLIError("\(host) is not a host of \(options.cluster.file)", fix: "use one of: \(cluster.hosts.map(\.name).joined(separator: ", "))")
        }
        guard FileManager.default.fileExists(atPath: lab.paths.sshConfig) else {
            throw CLIError("lab \(cluster.name) is not up (no \(lab.paths.sshConfig))", fix: "run `hardway lab up -f \(options.cluster.file)`")
        }
        guard let ssh = Exec.find("ssh") else { throw CLIError("ssh is not installed", fix: "run `apt-get install -y openssh-client`") }
        let arguments = [ssh, "-F", lab.paths.sshConfig, host] + command
        let argv = arguments.map { strdup($0) } + [nil]
        execv(ssh, argv)
        throw CLIError("cannot run \(ssh): \(String(cString: strerror(errno)))")
    }
}

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
        The same as `ssh -F <dir>/ssh/config HOST COMMAND…`: the lab key, strict host-key checking.

        Examples:
          sudo hardway lab ssh master-0 -f lab.yaml
          sudo hardway lab ssh worker-0 -f lab.yaml -- ip route
        """
    )

    @OptionGroup var options: LabOptions

    @Argument(help: "the machine (a host name of the cluster file)")
    var host: String

    @Argument(parsing: .remaining, help: "the command to run (put -- before it when it has options)")
    var command: [String] = []

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
        let arguments = [ssh, "-F", lab.paths.sshConfig, host] + (command.first == "--" ? Array(command.dropFirst()) : command)
        let argv = arguments.map { strdup($0) } + [nil]
        execv(ssh, argv)
        throw CLIError("cannot run \(ssh): \(String(cString: strerror(errno)))")
    }
}

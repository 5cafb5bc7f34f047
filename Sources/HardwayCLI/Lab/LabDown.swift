import ArgumentParser
import Foundation
import Lab

/// `hardway lab down`: every machine stopped and every trace of the lab removed from the box.
struct LabDown: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "stop every machine and remove its namespace, veth, mount and the bridge",
        usage: UsageLine.wrapped("hardway lab down", "[--file <file>] [--dir <dir>] [--purge] [--output <format>]"),
        discussion: """
        Machines are shut down in order (SIGTERM to systemd-nspawn; SIGKILL after 20 s). Their files \
        go with them; the lab key, the cluster's other files and the cached root stay (--purge removes \
        the root too). Then it checks that no namespace, link, mount or process of the lab is left.

        Examples:
          sudo hardway lab down -f lab.yaml
          sudo hardway lab down -f lab.yaml --purge
        """
    )

    @OptionGroup var options: LabOptions

    @Flag(help: "also remove the cached Debian root (the next lab up builds it again)")
    var purge = false

    @OptionGroup var output: OutputOptions

    func run() async throws {
        try requirePrerequisites(install: false)
        let (cluster, lab, _) = try options.lab()
        let report = try labbing { try lab.down(purge: purge) }
        try output.print(report) {
            if report.removed.isEmpty {
                Terminal.out("lab \(cluster.name) was not up; nothing to remove")
            } else {
                Terminal.out(String(format: "lab %@ is down in %.1f s: removed %@", cluster.name, report.seconds, report.removed.joined(separator: ", ")))
            }
            if let purged = report.purged { Terminal.out("removed the cached root \(purged)") }
        }
    }
}

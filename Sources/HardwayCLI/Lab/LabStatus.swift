import ArgumentParser
import Foundation
import Lab

/// `hardway lab status`: each machine's state, reachability and memory.
struct LabStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "show each machine: address, state, whether ssh answers, memory used",
        discussion: """
        Memory is the proportional set size of everything the machine's systemd started. \
        Exits 1 when a machine of the cluster file is not running or does not answer on ssh.

        Examples:
          sudo hardway lab status -f lab.yaml
          sudo hardway lab status -f lab.yaml -o json | jq '.[] | select(.ssh | not)'
        """
    )

    @OptionGroup var options: LabOptions

    @OptionGroup var output: OutputOptions

    func run() async throws {
        try requireRoot()
        let (cluster, lab, _) = try options.lab()
        let machines = lab.status()
        try output.print(machines) {
            var table = TextTable(["MACHINE", "ADDRESS", "STATE", "SSH", "MEMORY"])
            for machine in machines {
                table.add([machine.host, machine.address, machine.state, machine.state == "running" ? (machine.ssh ? "yes" : "no") : "-", megabytes(machine.memoryBytes)])
            }
            Terminal.out(table.render())
        }
        let unhealthy = machines.filter { $0.state != "running" || !$0.ssh }
        if !unhealthy.isEmpty {
            throw CLIError("\(unhealthy.map(\.host).joined(separator: ", ")) \(unhealthy.count == 1 ? "is" : "are") not running or not answering on ssh",
                           fix: "run `hardway lab up -f \(options.cluster.file)` (lab \(cluster.name))")
        }
    }
}

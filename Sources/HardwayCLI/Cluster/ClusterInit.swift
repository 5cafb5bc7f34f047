import ArgumentParser
import Foundation
import ClusterModel
import PKI

/// `hardway init`: writes a commented cluster file from one of the bundled examples.
struct ClusterInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "write a commented cluster file to start from",
        discussion: """
        Examples:
          hardway init                            cluster.yaml: machines on one box
          hardway init --list                     every example and what it builds
          hardway init --example aws -f aws.yaml  3 controllers, 3 workers, an AWS NLB
          hardway init --example two-controllers -f -      (to stdout)
        """
    )

    @Option(help: ArgumentHelp("the example to start from (see --list)", valueName: "name"))
    var example: String = ClusterExamples.defaultName

    @Option(name: [.customShort("f"), .customLong("file")], help: ArgumentHelp("where to write it; - for stdout", valueName: "file"))
    var file: String = "cluster.yaml"

    @Flag(help: "replace the file if it exists")
    var force = false

    @Flag(help: "list the examples and exit")
    var list = false

    func run() throws {
        if list {
            var table = TextTable(["EXAMPLE", "TOPOLOGY"])
            for example in ClusterExamples.all { table.add([example.name, example.summary]) }
            Terminal.out(table.render())
            return
        }
        guard let chosen = ClusterExamples.named(example) else {
            throw CLIError("there is no example named \"\(example)\"", fix: "use one of: \(ClusterExamples.all.map(\.name).joined(separator: ", "))")
        }
        if file == "-" {
            print(chosen.text, terminator: "")
            return
        }
        if FileManager.default.fileExists(atPath: file), !force {
            throw CLIError("\(file) already exists", fix: "choose another name with -f, or pass --force to replace it")
        }
        do {
            try AtomicFile.write(chosen.text, to: file, mode: 0o644)
        } catch let error as PKIError {
            throw CLIError(error.message, fix: error.fix)
        }
        Terminal.out("wrote \(file): \(chosen.summary)")
        Terminal.out("next: edit names and addresses for your machines, then `hardway validate -f \(file)`")
    }
}

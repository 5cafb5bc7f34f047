import ArgumentParser
import Foundation
import Logging
import ClusterModel
import PKI
import Lab
import Errors

/// `hardway`: the root command. Subcommands live one per file, grouped by noun.
public struct HardwayCommand: AsyncParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "hardway",
        abstract: "build highly available Kubernetes clusters the hard way, with every file readable and every step verified",
        discussion: """
        The quick start, on this box (root): `hardway up` — Kubernetes built from Debian's source, lab \
        machines, PKI, files, apply, check and the smoke test: a running, highly available cluster.

        Step by step, from a cluster file:

          hardway init --example lab              write cluster.yaml (the lab example)
          hardway validate -f cluster.yaml        every problem, with its field
          hardway binaries build -f cluster.yaml  Kubernetes, etcd, containerd, images
          hardway pki issue -f cluster.yaml       every certificate, in ./<name>/pki
          hardway render -f cluster.yaml          every node's files, in ./<name>/nodes
          hardway lab up -f cluster.yaml          machines on this box (or your VMs)
          hardway infra apply -f aws.yaml         or machines on AWS (aws example)
          hardway apply -f cluster.yaml           onto the machines over ssh, by phase
          hardway check -f cluster.yaml --smoke   what runs, live, and pods
          hardway drill -f cluster.yaml etcd      break one thing, watch it hold
          hardway etcd snapshot save -f cluster.yaml   day two: a checked backup

        Every topology of the tutorials: `hardway init --list`.
        """,
        version: version,
        subcommands: [ClusterInit.self, ClusterValidate.self, PKICommand.self, RenderCommand.self, BinariesCommand.self, KubeconfigCommand.self, EncryptionCommand.self, UpCommand.self, LabCommand.self, InfraCommand.self, PlanCommand.self, ApplyCommand.self, CheckCommand.self, DrillCommand.self, EtcdCommand.self, BenchCommand.self]
    )

    public init() {}

    /// Parses, runs, and prints failures as hardway does everywhere: `error: what; what to do`.
    public static func execute() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["HARDWAY_DEBUG"] != nil ? .debug : .info
            return handler
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            Terminal.error(error.message, fix: error.fix)
            Foundation.exit(error.exitCode)
        } catch let error as any ExplainedError {
            // Every module's CodedError (ShellError, PKIError, BinariesError, …): `error: message; fix`.
            Terminal.error(error.message, fix: error.fix)
            Foundation.exit(1)
        } catch {
            // Help, version and usage errors: ArgumentParser's text, in hardway's lowercase style.
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
            } else if !message.isEmpty {
                Terminal.err(message.hasPrefix("Error: ") ? "error: " + message.dropFirst(7) : message)
            }
            Foundation.exit(code.rawValue)
        }
    }
}

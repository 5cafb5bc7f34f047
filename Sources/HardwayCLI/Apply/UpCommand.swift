import ArgumentParser
import Foundation
import ClusterModel
import Lab
import Binaries
import PKI
import Phases

/// `hardway up`: the quick start, from nothing to a checked cluster on lab machines.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "the quick start: lab machines from the lab example, PKI, files, apply as far as the binaries go, check",
        discussion: """
        Writes lab.yaml from the bundled lab example when the file is not there (an existing file is used as \
        it is), then runs, in order: validate, lab up, pki issue, render, apply (through the last phase whose \
        binaries are all in the binaries directory), check. \
        Ends with what runs and how to reach it. Running it again changes only what is missing. Needs root.

        Examples:
          sudo hardway up
          sudo hardway up -f my-lab.yaml --install-prerequisites
        """
    )

    @Option(name: [.customShort("f"), .customLong("file")], help: ArgumentHelp("the cluster file; written from the lab example when missing", valueName: "file"))
    var file: String = "lab.yaml"

    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    @Flag(help: "install what the box lacks (systemd-container, debootstrap, …) with apt-get")
    var installPrerequisites = false

    func run() async throws {
        try requirePrerequisites(install: installPrerequisites)
        if !FileManager.default.fileExists(atPath: file) {
            guard let example = ClusterExamples.named("lab") else { throw CLIError("the lab example is missing from this build") }
            try AtomicFile.write(example.text, to: file, mode: 0o644)
            Terminal.out("wrote \(file) from the lab example: \(example.summary)")
        }
        let dirArguments = directoryOptions.dir.map { ["--dir", $0] } ?? []
        let common = ["-f", file] + dirArguments
        func section(_ number: Int, _ title: String) { Terminal.out("\n== \(number)/6 \(title)") }

        section(1, "validate")
        let validate = try ClusterValidate.parse(["-f", file])
        try validate.run()
        let cluster = try ClusterFileOptions.parse(["-f", file]).load(printWarnings: false, dir: directoryOptions.dir)
        let directory = ClusterDirectory(cluster: cluster, dir: directoryOptions.dir, clusterFile: file)

        section(2, "lab machines")
        let lab = try LabUp.parse(common + (installPrerequisites ? ["--install-prerequisites"] : []))
        try await lab.run()

        section(3, "PKI")
        let pki = try PKIIssue.parse(common)
        try await pki.run()

        section(4, "files")
        let render = try RenderCommand.parse(common)
        try await render.run()

        let until = reachablePhase(cluster, directory: directory)
        section(5, "apply through \(until.rawValue)")
        let apply = try ApplyCommand.parse(common + ["--until", until.rawValue])
        try await apply.run()

        section(6, "check")
        let check = try CheckCommand.parse(common)
        try await check.run()

        summary(cluster, directory: directory, until: until)
    }

    /// The last phase whose binaries, and those of every phase before it, are all there.
    func reachablePhase(_ cluster: Cluster, directory: ClusterDirectory) -> Phase {
        let binaries = directory.binariesDirectory(for: cluster)
        var reachable = Phase.network
        for phase in [Phase.etcd, .loadbalancer, .controlPlane, .workers, .addons] {
            let missing = cluster.hosts.flatMap { BinaryNeed.needs(for: $0, cluster: cluster, phases: [phase]) }
                .filter { !FileManager.default.fileExists(atPath: "\(binaries)/\($0.source)") }
            guard missing.isEmpty else { return reachable }
            reachable = phase
        }
        return reachable
    }

    func summary(_ cluster: Cluster, directory: ClusterDirectory, until: Phase) {
        let base = directory.path
        Terminal.out("\n== what runs now")
        if until >= .etcd {
            Terminal.out("etcd, \(cluster.etcdMembers.count) member\(cluster.etcdMembers.count == 1 ? "" : "s") with mutual TLS: \(cluster.etcdClientURLs.joined(separator: " "))")
            Terminal.out("  try: hardway lab ssh \(cluster.etcdMembers[0].name) -f \(file) -- etcdctl --endpoints=\(cluster.etcdClientURLs[0]) \(NodeCommands.etcdTLS) member list")
        }
        if until >= .loadbalancer, let lb = cluster.loadBalancer.host, let url = cluster.api.url {
            Terminal.out("\(cluster.loadBalancer.kind.rawValue) on \(lb.name): the API endpoint \(url), in front of \(cluster.controllers.map(\.name).joined(separator: ", "))")
        }
        if until >= .controlPlane, let url = cluster.api.url {
            Terminal.out("the Kubernetes API at \(url): kubectl --kubeconfig \(base)/kubeconfigs/admin-remote.kubeconfig get nodes")
        }
        Terminal.out("pod routes on every machine; machines: ssh -F \(base)/ssh/config HOST (\(cluster.hosts.map(\.name).joined(separator: ", ")))")
        Terminal.out("every file: \(base)/nodes/<host>/, certificates: \(base)/pki/, kubeconfigs: \(base)/kubeconfigs/")
        let binaries = directory.binariesDirectory(for: cluster)
        let missing = KubernetesSourceBuild.components.filter { !FileManager.default.fileExists(atPath: "\(binaries)/\($0)") }
        if !missing.isEmpty {
            Terminal.out("\nnot yet: the control plane, workers and addons need Kubernetes' own binaries (\(missing.joined(separator: ", "))) in \(binaries)")
        }
        Terminal.out("when done: sudo hardway lab down -f \(file)")
    }
}

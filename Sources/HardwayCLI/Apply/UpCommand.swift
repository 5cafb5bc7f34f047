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
        abstract: "the quick start: from the lab example to a smoke-tested cluster on this box",
        discussion: """
        Writes lab.yaml from the bundled lab example when the file is not there (an existing file is used as \
        it is), then runs, in order: validate, binaries build (Kubernetes v1.20.2 from Debian's source, cached \
        after the first time), lab up, pki issue, render, apply (every phase), check, and the smoke test. \
        Ends with what runs and how to reach it. Running it again changes only what is missing. Needs root.

        Examples:
          sudo hardway up
          sudo hardway up -f my-lab.yaml --install-prerequisites
          kubectl --kubeconfig lab/kubeconfigs/admin-remote.kubeconfig get nodes
        """
    )

    @Option(name: [.customShort("f"), .customLong("file")], help: ArgumentHelp("the cluster file; written from the lab example when missing", valueName: "file"))
    var file: String = "lab.yaml"

    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    @Flag(help: "install what the box lacks (systemd-container, debootstrap, Debian's Go and the Kubernetes build's tools, …) with apt-get")
    var installPrerequisites = false

    static let sections = ["validate", "binaries", "lab machines", "PKI", "files", "apply", "check", "smoke test"]

    func run() async throws {
        try requirePrerequisites(install: installPrerequisites)
        if !FileManager.default.fileExists(atPath: file) {
            guard let example = ClusterExamples.named("lab") else { throw CLIError("the lab example is missing from this build") }
            try AtomicFile.write(example.text, to: file, mode: 0o644)
            Terminal.out("wrote \(file) from the lab example: \(example.summary)")
        }
        let dirArguments = directoryOptions.dir.map { ["--dir", $0] } ?? []
        let common = ["-f", file] + dirArguments
        var timings: [(String, Double)] = []
        var index = 0
        func section(_ body: () async throws -> Void) async throws {
            let title = Self.sections[index]
            index += 1
            Terminal.out("\n== \(index)/\(Self.sections.count) \(title)")
            let started = Date()
            try await body()
            timings.append((title, Date().timeIntervalSince(started)))
        }

        var opened: (cluster: Cluster, directory: ClusterDirectory)?
        try await section {
            try ClusterValidate.parse(["-f", file]).run()
            opened = try ClusterFileOptions.parse(["-f", file]).open(in: directoryOptions, printWarnings: false)
        }
        guard let (cluster, directory) = opened else { return }
        try await section { try await BinariesBuildCommand.parse(common + (installPrerequisites ? ["--install-prerequisites"] : [])).run() }
        try await section { try await LabUp.parse(common + (installPrerequisites ? ["--install-prerequisites"] : [])).run() }
        try await section { try await PKIIssue.parse(common).run() }
        try await section { try await RenderCommand.parse(common).run() }
        let until = reachablePhase(cluster, directory: directory)
        try await section { try await ApplyCommand.parse(common + (until.map { ["--until", $0.rawValue] } ?? [])).run() }
        try await section { try await CheckCommand.parse(common).run() }
        try await section {
            if until == nil {
                try await CheckCommand.parse(common + ["--smoke", "--only-smoke"]).run()
            } else {
                Terminal.out("skipped: apply stopped at \(until!.rawValue)")
            }
        }
        summary(cluster, directory: directory, until: until ?? .smoke)
        Terminal.out("\n" + timings.map { String(format: "%@ %.1f s", $0.0, $0.1) }.joined(separator: ", "))
    }

    /// nil when every phase's binaries are there; else the last phase whose binaries, and those of
    /// every phase before it, are all there.
    func reachablePhase(_ cluster: Cluster, directory: ClusterDirectory) -> Phase? {
        let binaries = directory.binariesDirectory(for: cluster)
        var reachable = Phase.network
        for phase in [Phase.etcd, .loadbalancer, .controlPlane, .workers] {
            let missing = cluster.hosts.flatMap { BinaryNeed.needs(for: $0, cluster: cluster, phases: [phase]) }
                .filter { !FileManager.default.fileExists(atPath: "\(binaries)/\($0.source)") }
            guard missing.isEmpty else { return reachable }
            reachable = phase
        }
        return nil
    }

    func summary(_ cluster: Cluster, directory: ClusterDirectory, until: Phase) {
        let base = directory.path
        Terminal.out("\n== what runs now")
        if until >= .etcd {
            Terminal.out("etcd, \(cluster.etcdMembers.count) member\(cluster.etcdMembers.count == 1 ? "" : "s") with mutual TLS: \(cluster.etcdClientURLs.joined(separator: " "))")
        }
        if until >= .loadbalancer, let lb = cluster.loadBalancer.host, let url = cluster.api.url {
            Terminal.out("\(cluster.loadBalancer.kind.rawValue) on \(lb.name): the API endpoint \(url), in front of \(cluster.controllers.map(\.name).joined(separator: ", "))")
        }
        if until >= .controlPlane, cluster.api.url != nil {
            Terminal.out("Kubernetes \(cluster.kubernetesVersion): \(cluster.controllers.count) API server\(cluster.controllers.count == 1 ? "" : "s"), controller managers and schedulers electing leaders; \(cluster.workers.count) worker\(cluster.workers.count == 1 ? "" : "s") on containerd")
            Terminal.out("  try: kubectl --kubeconfig \(base)/kubeconfigs/admin-remote.kubeconfig get nodes -o wide")
        }
        if !cluster.addons.dns { Terminal.out("DNS: off (addons.dns: false in \(file))") }
        Terminal.out("machines: ssh -F \(base)/ssh/config HOST (\(cluster.hosts.map(\.name).joined(separator: ", ")))")
        Terminal.out("every file: \(base)/nodes/<host>/, certificates: \(base)/pki/, kubeconfigs: \(base)/kubeconfigs/")
        if until < .workers {
            Terminal.out("\nnot yet: the phases after \(until.rawValue) need binaries missing from \(directory.binariesDirectory(for: cluster)): run `hardway binaries build -f \(file)`")
        }
        Terminal.out("drills: hardway drill -f \(file) controller|etcd|worker; when done: sudo hardway lab down -f \(file)")
    }
}

import ArgumentParser
import Foundation
import PKI
import Render

/// `hardway kubeconfig admin`: the admin kubeconfig (through the API endpoint) into ~/.kube/config.
struct KubeconfigAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "write the admin kubeconfig to ~/.kube/config, or merge it into the one there",
        usage: UsageLine.wrapped("hardway kubeconfig admin", "[--file <file>] [--dir <dir>] [--merge] [--kubeconfig <path>]"),
        discussion: """
        The cluster, context and user (admin@<name>) are named after the cluster; the server is the \
        API endpoint. Without --merge an existing, different file is left alone. With --merge the \
        cluster's entries are added or replaced and every other cluster, user and context is kept; \
        the current context becomes this cluster's.

        Examples:
          hardway kubeconfig admin -f cluster.yaml
          hardway kubeconfig admin -f cluster.yaml --merge
          hardway kubeconfig admin -f cluster.yaml --kubeconfig ./lab.kubeconfig
        """
    )

    @OptionGroup var cluster: ClusterFileOptions

    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    @Flag(help: "merge into an existing kubeconfig instead of refusing to touch it")
    var merge = false

    @Option(help: ArgumentHelp("the kubeconfig to write (default: the first of $KUBECONFIG, else ~/.kube/config)", valueName: "path"))
    var kubeconfig: String?

    func run() async throws {
        let (resolved, directory) = try cluster.open(in: directoryOptions)
        let pki = try directory.loadPKI(for: resolved)
        var config = try cluster.rendering {
            try ClusterRenderer.adminKubeconfig(RenderInput(cluster: resolved, pki: pki, encryption: EncryptionKeyRing(keys: [])))
        }
        config.user = "admin@\(resolved.name)"
        let target = kubeconfig ?? Self.defaultPath()
        let text: String
        if let existing = FileManager.default.contents(atPath: target) {
            let current = String(decoding: existing, as: UTF8.self)
            if current == config.rendered {
                Terminal.out("\(target) already holds the admin kubeconfig of \(resolved.name)")
                return
            }
            guard merge else {
                throw CLIError("\(target) already exists", fix: "add --merge to add \(resolved.name) to it, or --kubeconfig PATH to write another file")
            }
            text = try KubeconfigMerge.merge(config.rendered, into: current, file: target)
        } else {
            text = config.rendered
        }
        // Missing directories are made private; one that exists keeps its mode.
        try AtomicFile.makeMissingDirectories((target as NSString).deletingLastPathComponent, mode: 0o700)
        try AtomicFile.write(text, to: target, mode: 0o600)
        Terminal.out("wrote the admin kubeconfig of \(resolved.name) to \(target) (context \(resolved.name), server \(config.server))")
        Terminal.out("try: kubectl --kubeconfig \(target) get nodes")
    }

    static func defaultPath() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let list = environment["KUBECONFIG"], let first = list.split(separator: ":").first { return String(first) }
        return "\(environment["HOME"] ?? NSHomeDirectory())/.kube/config"
    }
}

import ClusterModel
import Shell

/// Cluster + PKI + encryption keys → every file of every node. Pure: the same input gives the same
/// bytes, and nothing is read or written here.
public enum ClusterRenderer {
    public static func render(_ input: RenderInput) throws -> RenderOutput {
        let made = try render(input) { $0 }
        return RenderOutput(nodes: made.nodes, kubeconfigs: made.kubeconfigs, manifests: made.manifests)
    }

    /// The same render a node at a time: `each` gets every node's files as soon as they are made,
    /// on all cores at once, and what it returns is kept in their place (in the hosts' order) — so
    /// a caller that writes each node as it comes holds a node per core, not the whole cluster,
    /// whose routes units alone are 125 MB at a thousand workers.
    public static func render<Node>(_ input: RenderInput, each: (NodeBundle) throws -> Node) throws
        -> (nodes: [Node], kubeconfigs: [RenderedFile], manifests: [RenderedFile]) {
        let release = try KubernetesRelease.forVersion(input.cluster.kubernetesVersion)
        let problems = input.encryption.problems()
        guard problems.isEmpty else {
            throw RenderError(.unusableKeyRing, "the encryption key ring is unusable: \(problems.joined(separator: "; "))",
                              fix: "restore secrets/encryption-keys.json from a backup; a new key cannot read the secrets already stored")
        }
        let context = ClusterContext(input: input, release: release)
        let cluster = input.cluster

        let entries = try KubeconfigRenderer.entries(context)
        var kubeconfigs: [String: Kubeconfig] = [:]
        for entry in entries { kubeconfigs[entry.fileName] = entry.config }

        let manifests = ClusterManifestsRenderer.manifests(context)
        let etcdMembers = Set(cluster.etcdMembers.map(\.name))
        // Each host's files depend on the context alone: the hosts are rendered on all cores, and
        // the first failing host (in the file's order) gives the error, as it would one by one.
        let nodes = try cluster.hosts.concurrentMap { host in
            var files = FileSet()
            if etcdMembers.contains(host.name) {
                try EtcdRenderer.add(context, member: host, to: &files)
            }
            if host.has(.controller) {
                try ControlPlaneRenderer.add(context, controller: host, kubeconfigs: kubeconfigs, to: &files)
                for manifest in manifests {
                    try files.add("\(NodePaths.addons)/\(manifest.name)", manifest.contents)
                }
            }
            if host.has(.worker) {
                try WorkerRenderer.add(context, worker: host, kubeconfigs: kubeconfigs, to: &files)
            }
            if cluster.loadBalancer.host?.name == host.name {
                try LoadBalancerRenderer.add(context, host: host, to: &files)
            }
            try PodRoutesRenderer.add(context, host: host, to: &files)
            return try each(NodeBundle(host: host.name, files: files.files.sorted { $0.path < $1.path }))
        }

        let kubeconfigFiles = entries.map {
            RenderedFile(path: "kubeconfigs/\($0.fileName)", mode: 0o600, contents: $0.config.rendered)
        }
        let manifestFiles = manifests.map {
            RenderedFile(path: "manifests/\($0.name)", contents: $0.contents)
        }
        return (nodes, kubeconfigFiles, manifestFiles)
    }

    /// The workstation's admin kubeconfig (server = the API endpoint): what `hardway kubeconfig admin` writes.
    public static func adminKubeconfig(_ input: RenderInput) throws -> Kubeconfig {
        let release = try KubernetesRelease.forVersion(input.cluster.kubernetesVersion)
        let context = ClusterContext(input: input, release: release)
        guard let entry = try KubeconfigRenderer.entries(context).first(where: { $0.fileName == "admin-remote.kubeconfig" }) else {
            throw RenderError(.missingAdminKubeconfig, "no admin kubeconfig was rendered", fix: "report this as a hardway bug")
        }
        return entry.config
    }

    /// The command line a unit of the render runs, for checks against the release's flag set.
    public static func unitCommands(_ output: RenderOutput) -> [(host: String, unit: String, program: String, arguments: [String])] {
        var commands: [(String, String, String, [String])] = []
        for node in output.nodes {
            for file in node.files where file.path.hasPrefix(NodePaths.units + "/") && file.path.hasSuffix(".service") {
                guard let parsed = UnitCommand.parseExecStart(unit: file.contents) else { continue }
                let unit = String(file.path.dropFirst(NodePaths.units.count + 1).dropLast(".service".count))
                commands.append((node.host, unit, parsed.program, parsed.arguments))
            }
        }
        return commands
    }
}

import ArgumentParser
import Foundation
import ClusterModel
import PKI
import Render

/// `hardway render`: every file of every node, from the cluster file and its PKI.
struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "write every node's files under <dir>/nodes/<host>/, with kubeconfigs and cluster manifests",
        discussion: """
        Each node's files sit at their real paths under <dir>/nodes/<host>/ (etc/etcd/…, \
        var/lib/kubernetes/…, etc/systemd/system/…), with a MANIFEST listing path, mode, owner and \
        sha256 of each. Kubeconfigs go to <dir>/kubeconfigs/, objects for the running cluster (kubelet \
        RBAC, CoreDNS) to <dir>/manifests/.

        The PKI must be issued first and fit the cluster file. The encryption key is made once, in \
        <dir>/secrets/encryption-keys.json (0600): keep it, the secrets in etcd cannot be read without \
        it. Rendering again compares every file with the one on disk and writes only what changed \
        (a file edited by hand is put back), and removes files no longer rendered.

        Examples:
          hardway render -f cluster.yaml
          hardway render -f cluster.yaml --diff
          hardway render -f cluster.yaml -o json | jq -c '.changes[]'
        """
    )

    @OptionGroup var cluster: ClusterFileOptions

    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    @Flag(help: "show what would change since the last render, file by file; write nothing")
    var diff = false

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (resolved, directory) = try cluster.open(in: directoryOptions)
        let pki = try directory.loadPKI(for: resolved)
        let keys: (ring: EncryptionKeyRing, created: Bool)
        if diff, let ring = try directory.encryptionKeys.load() {
            keys = (ring, false)
        } else if diff {
            keys = (EncryptionKeyRing.initial(provider: resolved.encryption.provider, secret: Base64.encode([UInt8](repeating: 0, count: 32))), true)
        } else {
            keys = try directory.loadOrCreateKeys(provider: resolved.encryption.provider)
        }
        if keys.created && !diff {
            Terminal.warning("made the encryption key \(directory.encryptionKeys.path): keep it and back it up; the secrets stored in etcd cannot be read without it")
        }
        if let writer = keys.ring.writeKey, writer.provider != resolved.encryption.provider {
            Terminal.warning("encryption.provider is \(resolved.encryption.provider.rawValue), but secrets are written with \(writer.provider.rawValue) (\(writer.name)); run `hardway encryption rotate -f \(cluster.file)` to switch")
        }

        // Each node is compared with the disk (and, unless --diff, staged) as soon as it is
        // rendered, so memory holds a node per core; what stays is each file's summary.
        let writer = RenderWriter(directory: directory.path)
        let disk = writer.scan()
        let batch: FileBatch? = diff ? nil : FileBatch()
        let made: (nodes: [RenderedNode], workstation: [String], changes: [RenderWriter.Entry])
        do {
            if batch != nil { try writer.prepare() }
            let rendered = try cluster.rendering {
                try ClusterRenderer.render(RenderInput(cluster: resolved, pki: pki, encryption: keys.ring)) { node in
                    let files = node.filesWithManifest
                    return RenderedNode(host: node.host, files: node.files.map { RenderReport.File($0, hashed: output.format == .json) },
                                        paths: files.map(\.path), changes: try writer.compare(files, with: disk, writingInto: batch))
                }
            }
            let workstation = rendered.kubeconfigs + rendered.manifests
            var changes = try writer.compare(workstation.map { ($0.path, $0) }, with: disk, writingInto: batch)
            let removed = writer.removed(from: disk, rendered: Set(rendered.nodes.flatMap(\.paths) + workstation.map(\.path)), keepingBytes: diff)
            if let batch { try writer.finish(batch, removing: removed, leftovers: disk.leftovers) }
            changes = (rendered.nodes.flatMap(\.changes) + changes + removed).sorted { $0.path < $1.path }
            made = (rendered.nodes, workstation.map(\.path), changes)
        } catch {
            batch?.abandon()
            throw error
        }

        if diff {
            try printDiff(made.changes, directory: directory.path)
            return
        }
        try output.print(RenderReport(directory: directory.path, nodes: made.nodes, workstation: made.workstation, changes: made.changes, written: true)) {
            printSummary(made.nodes, workstation: made.workstation, changes: made.changes, directory: directory.path)
        }
    }

    func printDiff(_ changes: [RenderWriter.Entry], directory: String) throws {
        if output.format == .json {
            try JSON.print(RenderReport.Diff(directory: directory, changes: changes.map {
                .init(path: $0.path, change: $0.change, diff: unified($0, directory: directory))
            }))
            return
        }
        guard !changes.isEmpty else {
            Terminal.out("nothing changed since the last render in \(directory)")
            return
        }
        for change in changes {
            Terminal.out(unified(change, directory: directory), terminator: "")
        }
        Terminal.err("\(changes.count) file\(changes.count == 1 ? "" : "s") would change; nothing written (run without --diff to write them)")
    }

    func unified(_ change: RenderWriter.Entry, directory: String) -> String {
        let oldName = change.old == nil ? "/dev/null" : "a/\(change.path)"
        let newName = change.new == nil ? "/dev/null" : "b/\(change.path)"
        if change.path.hasSuffix("-key.pem") || change.path.hasSuffix(".kubeconfig") || change.path.hasSuffix("kubeconfig")
            || change.path.hasSuffix("encryption-config.yaml") {
            // Never print key material: say that it changed, not how.
            return "--- \(oldName)\n+++ \(newName)\n@@ secret content \(change.change.rawValue) (not shown) @@\n"
        }
        let text = TextDiff.unified(old: change.old ?? "", new: change.new ?? "", oldName: oldName, newName: newName)
        return text.isEmpty ? "--- \(oldName)\n+++ \(newName)\n@@ mode changed to \(change.mode.map { "0" + String($0, radix: 8) } ?? "?") @@\n" : text
    }

    func printSummary(_ nodes: [RenderedNode], workstation: [String], changes: [RenderWriter.Entry], directory: String) {
        var table = TextTable(["host", "files", "changed", "what"])
        // Counted in one pass: filtering every change for every host is hosts × files.
        var changedPerHost: [String: Int] = [:]
        for change in changes where change.path.hasPrefix("nodes/") && !change.path.hasSuffix("/MANIFEST") {
            changedPerHost[String(change.path.dropFirst("nodes/".count).prefix { $0 != "/" }), default: 0] += 1
        }
        for node in nodes {
            let units = Set(node.files.flatMap(\.units)).sorted()
            table.add([node.host, String(node.files.count), String(changedPerHost[node.host] ?? 0), units.joined(separator: ", ")])
        }
        for root in ["kubeconfigs/", "manifests/"] {
            let files = workstation.filter { $0.hasPrefix(root) }
            table.add([root, String(files.count), String(changes.filter { $0.path.hasPrefix(root) }.count),
                       files.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")])
        }
        Terminal.out(table.render())
        Terminal.out()
        if changes.isEmpty {
            Terminal.out("nothing changed: \(directory) already holds this render")
        } else {
            let removed = changes.filter { $0.change == .removed }.count
            Terminal.out("wrote \(changes.count - removed) file\(changes.count - removed == 1 ? "" : "s")\(removed > 0 ? ", removed \(removed)" : "") under \(directory); each node's files are in \(directory)/nodes/<host>/ with a MANIFEST")
        }
    }
}

import Render

/// `render --output json`: every node's files, the workstation's, and what changed; `Diff` is
/// `render --diff --output json`.
struct RenderReport: Encodable {
    struct File: Encodable {
        var path: String
        var mode: String
        var owner: String
        var sha256: String
        var units: [String]
    }
    struct Node: Encodable {
        var host: String
        var files: [File]
    }
    struct Change: Encodable {
        var path: String
        var change: RenderWriter.Change
    }
    struct Diff: Encodable {
        struct Entry: Encodable {
            var path: String
            var change: RenderWriter.Change
            var diff: String
        }
        var directory: String
        var changes: [Entry]
    }

    var directory: String
    var written: Bool
    var nodes: [Node]
    var kubeconfigs: [String]
    var manifests: [String]
    var changes: [Change]

    init(directory: String, nodes: [RenderedNode], workstation: [String], changes: [RenderWriter.Entry], written: Bool) {
        self.directory = directory
        self.written = written
        self.nodes = nodes.map { Node(host: $0.host, files: $0.files) }
        kubeconfigs = workstation.filter { $0.hasPrefix("kubeconfigs/") }
        manifests = workstation.filter { $0.hasPrefix("manifests/") }
        self.changes = changes.map { Change(path: $0.path, change: $0.change) }
    }
}

extension RenderReport.File {
    /// A rendered file's summary; its sha256 only when `hashed` (the JSON report), since the
    /// MANIFEST hashes every file already.
    init(_ file: RenderedFile, hashed: Bool) {
        self.init(path: file.path, mode: file.modeText, owner: file.owner, sha256: hashed ? file.sha256 : "", units: file.units)
    }
}

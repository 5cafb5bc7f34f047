import ClusterModel
import Shell
import Crypto
import Foundation

/// One file of the cluster as it lands on a machine: where, with which mode and owner, and its bytes.
public struct RenderedFile: Sendable, Equatable {
    /// The absolute path on the node (`/etc/etcd/ca.pem`), or a path relative to the cluster's
    /// directory for files that stay on the workstation (`kubeconfigs/admin-remote.kubeconfig`).
    public var path: String
    public var mode: UInt16
    public var owner: String
    public var contents: String
    /// The systemd units that read this file, so a change restarts exactly those.
    public var units: [String]

    public init(path: String, mode: UInt16 = 0o644, owner: String = "root:root", contents: String, units: [String] = []) {
        self.path = path
        self.mode = mode
        self.owner = owner
        self.contents = contents
        self.units = units
    }

    public var isPrivate: Bool { mode & 0o077 == 0 }

    public var sha256: String {
        var contents = contents
        let digest = contents.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        return Self.hex(digest)
    }

    /// Lowercase hex, without `String(format:)`: a render hashes every file of every node.
    static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `0644`-style text of the mode.
    public var modeText: String { "0" + String(mode, radix: 8) }
}

/// Everything one machine receives.
public struct NodeBundle: Sendable, Equatable {
    public var host: String
    public var files: [RenderedFile]

    /// One line per file, sorted by path: `path mode owner sha256`. The MANIFEST file of the bundle.
    public var manifest: String {
        files.sorted { $0.path < $1.path }
            .map { "\($0.path) \($0.modeText) \($0.owner) \($0.sha256)\n" }
            .joined()
    }

    public func file(_ path: String) -> RenderedFile? { files.first { $0.path == path } }

    /// The node's files with their paths under the cluster's directory (`nodes/<host>/…`), then
    /// its MANIFEST: what `hardway render` writes for it.
    public var filesWithManifest: [(path: String, file: RenderedFile)] {
        files.map { ("nodes/\(host)\($0.path)", $0) } + [("nodes/\(host)/MANIFEST", RenderedFile(path: "/MANIFEST", contents: manifest))]
    }
}

/// The whole render: a bundle per host, plus the files that stay in the cluster's directory.
public struct RenderOutput: Sendable, Equatable {
    public var nodes: [NodeBundle]
    /// `kubeconfigs/NAME.kubeconfig`: every kubeconfig, including `admin-remote` for the workstation.
    public var kubeconfigs: [RenderedFile]
    /// `manifests/NAME.yaml`: the objects applied to the running cluster (RBAC, CoreDNS).
    public var manifests: [RenderedFile]

    public func node(_ host: String) -> NodeBundle? { nodes.first { $0.host == host } }

    /// Every file with its path relative to the cluster's directory, as `hardway render` writes it.
    public var tree: [String: RenderedFile] { Dictionary(files, uniquingKeysWith: { $1 }) }

    /// The same files in the render's order: each node's files and its MANIFEST, then the
    /// kubeconfigs and the manifests.
    public var files: [(path: String, file: RenderedFile)] {
        // Hashing every file for the MANIFESTs is most of this: the nodes' on all cores.
        nodes.concurrentMap(\.filesWithManifest).flatMap { $0 } + workstationFiles
    }

    /// The kubeconfigs and the manifests, which stay in the cluster's directory.
    public var workstationFiles: [(path: String, file: RenderedFile)] {
        (kubeconfigs + manifests).map { ($0.path, $0) }
    }
}

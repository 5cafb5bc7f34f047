import Foundation
import Shell

/// An OCI image archive of the binaries directory's `images/`: apply puts each on every worker and
/// imports it into containerd's `k8s.io` namespace, so pods start without a registry (the pause
/// image, the smoke tests' workload, and whatever archives the user adds for an air-gapped cluster).
public struct ImageArchive: Sendable, Equatable {
    /// The local file.
    public var path: String
    public var sha256: String
    /// The image names its index.json gives (what `ctr images import` will call them).
    public var images: [String]

    public var file: String { (path as NSString).lastPathComponent }
    /// Where it lands on a worker.
    public var destination: String { "\(Self.remoteDirectory)/\(file)" }

    public static let remoteDirectory = "/var/lib/hardway/images"

    /// Every `*.tar` of `directory` (none when it does not exist), each read once (`digest`: a
    /// hasher that may know a file already).
    public static func list(in directory: String, digest: (String) throws -> String = FileDigest.sha256(ofFile:)) throws -> [ImageArchive] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".tar") }.sorted()
        return try files.map { file in
            let path = "\(directory)/\(file)"
            return ImageArchive(path: path, sha256: try digest(path), images: try names(inArchive: path))
        }
    }

    /// The image names an archive's index.json holds.
    public static func names(inArchive path: String) throws -> [String] {
        let result = try Exec.run("tar", ["-xOf", path, "index.json"])
        guard result.succeeded, let index = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw BinariesError(.badImage, "\(path) is not an OCI image archive (it has no index.json: \(result.tail))",
                             fix: "write images with `ctr images export` or `skopeo copy … oci-archive:`, or remove it from the images directory")
        }
        return (index["manifests"] as? [[String: Any]] ?? []).compactMap { manifest in
            let annotations = manifest["annotations"] as? [String: String] ?? [:]
            return annotations["io.containerd.image.name"] ?? annotations["org.opencontainers.image.ref.name"]
        }
    }

    /// `ctr` against the containerd the workers run (the rendered config's socket).
    public static let ctr = "/usr/local/bin/ctr --address /run/containerd/containerd.sock --namespace k8s.io"
}

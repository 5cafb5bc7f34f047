import Foundation
import Shell

/// An image without a registry: an OCI image layout (oci-layout, index.json, blobs/sha256/…) in
/// one tar file, with a single uncompressed layer, as `ctr images import` takes it. The index names
/// the image both ways containerd reads (`io.containerd.image.name`, and the OCI ref name).
/// Everything in it has a fixed time and owner, so the same files make the same archive.
public struct OCIImageArchive: Sendable {
    /// The full reference, e.g. `registry.k8s.io/pause:3.2`.
    public var name: String
    /// The directory whose contents become the image's file system.
    public var rootfs: String
    public var entrypoint: [String]?
    public var command: [String]?
    public var description: String
    public var architecture: String
    /// The time recorded for the image and every file in it.
    public var created: Date

    public init(name: String, rootfs: String, entrypoint: [String]? = nil, command: [String]? = nil, description: String,
                architecture: String = HostArchitecture.current, created: Date = Date(timeIntervalSince1970: 0)) {
        self.name = name
        self.rootfs = rootfs
        self.entrypoint = entrypoint
        self.command = command
        self.description = description
        self.architecture = architecture
        self.created = created
    }

    static let manifestType = "application/vnd.oci.image.manifest.v1+json"
    static let configType = "application/vnd.oci.image.config.v1+json"
    static let layerType = "application/vnd.oci.image.layer.v1.tar"

    /// The tag part of the name (`3.2` of `registry.k8s.io/pause:3.2`).
    var tag: String {
        let last = name.split(separator: "/").last.map(String.init) ?? name
        return last.contains(":") ? String(last.split(separator: ":").last!) : "latest"
    }

    /// Writes the archive to `path` (through a temporary name); returns the manifest's digest.
    @discardableResult
    public func write(to path: String) throws -> String {
        let fm = FileManager.default
        let work = "\(path).layout"
        try? fm.removeItem(atPath: work)
        try fm.createDirectory(atPath: "\(work)/blobs/sha256", withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: work) }
        let epoch = String(Int(created.timeIntervalSince1970))
        let fixed = ["--sort=name", "--mtime=@\(epoch)", "--owner=0", "--group=0", "--numeric-owner", "--format=gnu"]

        let layer = "\(work)/layer.tar"
        let entries = try fm.contentsOfDirectory(atPath: rootfs).sorted()
        try Exec.check("tar", fixed + ["-C", rootfs, "-cf", layer] + entries, what: "packing \(rootfs) into a layer")
        let layerDigest = try FileDigest.sha256(ofFile: layer)
        let layerSize = try fm.attributesOfItem(atPath: layer)[.size] as? Int ?? 0
        try fm.moveItem(atPath: layer, toPath: "\(work)/blobs/sha256/\(layerDigest)")

        let date = ISO8601DateFormatter.string(from: created, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
        var config: [String: Any] = [:]
        if let entrypoint { config["Entrypoint"] = entrypoint }
        if let command { config["Cmd"] = command }
        config["Env"] = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        let configDocument: [String: Any] = [
            "architecture": architecture, "os": "linux", "created": date, "config": config,
            "rootfs": ["type": "layers", "diff_ids": ["sha256:\(layerDigest)"]],
            "history": [["created": date, "created_by": "hardway: \(description)"]],
        ]
        let (configDigest, configSize) = try blob(configDocument, in: work)
        let manifest: [String: Any] = [
            "schemaVersion": 2, "mediaType": Self.manifestType,
            "config": ["mediaType": Self.configType, "digest": "sha256:\(configDigest)", "size": configSize],
            "layers": [["mediaType": Self.layerType, "digest": "sha256:\(layerDigest)", "size": layerSize]],
            "annotations": ["org.opencontainers.image.description": description, "org.opencontainers.image.created": date],
        ]
        let (manifestDigest, manifestSize) = try blob(manifest, in: work)
        let index: [String: Any] = [
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [[
                "mediaType": Self.manifestType, "digest": "sha256:\(manifestDigest)", "size": manifestSize,
                "platform": ["architecture": architecture, "os": "linux"],
                "annotations": ["io.containerd.image.name": name, "org.opencontainers.image.ref.name": tag],
            ]],
        ]
        try json(index).write(to: URL(fileURLWithPath: "\(work)/index.json"))
        try json(["imageLayoutVersion": "1.0.0"]).write(to: URL(fileURLWithPath: "\(work)/oci-layout"))

        let temporary = path + ".partial"
        try Exec.check("tar", fixed + ["-C", work, "-cf", temporary, "oci-layout", "index.json", "blobs"], what: "writing \(path)")
        guard rename(temporary, path) == 0 else { throw BinariesError(.writeFailed, "cannot write \(path)", fix: "check the directory's permissions") }
        return "sha256:\(manifestDigest)"
    }

    func json(_ object: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    func blob(_ object: Any, in work: String) throws -> (digest: String, size: Int) {
        let data = try json(object)
        let digest = SHA256Hex.of(data)
        try data.write(to: URL(fileURLWithPath: "\(work)/blobs/sha256/\(digest)"))
        return (digest, data.count)
    }
}

import Crypto

enum SHA256Hex {
    static func of(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}

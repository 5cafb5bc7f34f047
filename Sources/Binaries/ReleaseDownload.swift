import Foundation
import Shell

/// A release's binaries from upstream (dl.k8s.io and the GitHub releases of etcd, containerd, runc
/// and the CNI plugins) or from a mirror holding the same paths: every artifact is fetched and
/// checked against its published checksum file before any program is taken out of one, so a
/// mismatch stops the run with nothing placed.
public struct ReleaseDownload: Sendable {
    public var versions: ReleaseVersions
    public var architecture: String
    /// A files repository's base URL (validated, without a trailing `/`), or nil for upstream.
    public var mirror: String?
    /// Where artifacts are kept between runs, under upstream's host and path; each is checked
    /// against the checksum file fetched anew every run before it is used.
    public var cache: String

    public init(versions: ReleaseVersions, architecture: String = HostArchitecture.current, mirror: String?, cache: String) {
        (self.versions, self.architecture, self.mirror, self.cache) = (versions, architecture, mirror, cache)
    }

    /// A program ready to be placed: its name in the binaries directory (`kubelet`, `cni/bridge`),
    /// the checked file it is, and the URL it came from.
    public struct Program: Sendable, Equatable {
        public var name: String
        public var file: String
        public var source: String
    }

    public var artifacts: [ReleaseArtifact] { ReleaseArtifact.upstream(versions, architecture: architecture) }

    /// Every artifact fetched and checked, then every program taken out of them.
    public func programs(progress: (String) -> Void) throws -> [Program] {
        let checked = try artifacts.map { artifact in (artifact, try fetch(artifact, progress: progress)) }
        return try checked.flatMap { artifact, file in try unpack(artifact, file: file) }
    }

    /// The artifact's file in the cache, downloaded unless the cached one has the published digest.
    func fetch(_ artifact: ReleaseArtifact, progress: (String) -> Void) throws -> String {
        let url = ReleaseArtifact.mirrored(artifact.url, mirror: mirror)
        let checksumURL = ReleaseArtifact.mirrored(artifact.checksumURL, mirror: mirror)
        let text = try downloading(artifact) { try BinaryResolver.fetchText(checksumURL) }
        guard let expected = PublishedChecksum.digest(in: text, format: artifact.checksum) else {
            throw BinariesError(.noChecksum, "\(checksumURL) gives no sha256 for \(artifact.fileName)",
                                fix: "nothing was placed; \(mirror == nil ? "check the versions in the cluster file" : "copy upstream's \(artifact.checksumURL) to the mirror")")
        }
        let path = "\(cache)/\(artifact.cachePath)"
        if FileManager.default.fileExists(atPath: path), (try? FileDigest.sha256(ofFile: path)) == expected {
            progress("\(artifact.fileName): cached, sha256 as published")
            return path
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        progress("downloading \(url)")
        // Streamed to a file beside where it will live; renamed only once its digest is right.
        let temporary = path + ".download"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        try downloading(artifact) { try BinaryResolver.fetch(url, to: temporary) }
        let digest = try FileDigest.sha256(ofFile: temporary)
        guard digest == expected else {
            throw BinariesError(.checksumMismatch, "\(artifact.fileName) from \(url) does not match its published sha256 in \(checksumURL) (got \(digest.prefix(16))…, expected \(expected.prefix(16))…)",
                                fix: "nothing was placed; \(mirror == nil ? "try again (a file that keeps differing is not upstream's)" : "replace the mirror's copy with upstream's \(artifact.url)")")
        }
        guard rename(temporary, path) == 0 else {
            throw BinariesError(.writeFailed, "cannot write \(path): \(String(cString: strerror(errno)))", fix: "check the cache directory's permissions")
        }
        return path
    }

    /// A failed fetch named with what would fix it for upstream or for the mirror.
    func downloading<T>(_ artifact: ReleaseArtifact, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as BinariesError where error.code == .downloadFailed {
            let fix = mirror == nil
                ? "check the \(artifact.component) version in the cluster file and this box's internet access, or use binaries.mirror (--mirror) or a bundle (--from)"
                : "copy upstream's file to that path of the mirror (kubespray's files_repo layout: `wget -x` of \(artifact.url) and its checksum file), or check binaries.mirror and the \(artifact.component) version in the cluster file"
            throw BinariesError(.downloadFailed, error.message, fix: "nothing was placed; " + fix)
        }
    }

    /// The programs inside a checked artifact.
    func unpack(_ artifact: ReleaseArtifact, file: String) throws -> [Program] {
        let url = ReleaseArtifact.mirrored(artifact.url, mirror: mirror)
        switch artifact.packing {
        case .bare(let name):
            return [Program(name: name, file: file, source: url)]
        case .tarball(let members):
            let root = try extract(file, members: members.map(\.path), artifact: artifact)
            return try members.map { member in
                let path = "\(root)/\(member.path)"
                guard Self.isRegularFile(path) else {
                    throw BinariesError(.badArchive, "\(artifact.fileName) holds no file \(member.path)", fix: "nothing was placed; check that \(url) is upstream's \(artifact.component) release")
                }
                return Program(name: member.name, file: path, source: url)
            }
        case .everyFile(let directory, let except):
            let root = try extract(file, members: [], artifact: artifact)
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
                .filter { !except.contains($0) && Self.isRegularFile("\(root)/\($0)") }
            guard !names.isEmpty else {
                throw BinariesError(.badArchive, "\(artifact.fileName) holds no plugins", fix: "nothing was placed; check that \(url) is upstream's \(artifact.component) release")
            }
            return names.map { Program(name: "\(directory)/\($0)", file: "\(root)/\($0)", source: url) }
        }
    }

    /// The tarball unpacked afresh beside its cache file (only `members` when given); owners are not
    /// kept, and GNU tar refuses members that would leave the directory.
    func extract(_ file: String, members: [String], artifact: ReleaseArtifact) throws -> String {
        let root = file + ".unpacked"
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let result = try Exec.run("tar", ["-xzf", file, "-C", root, "--no-same-owner", "--"] + members)
        guard result.succeeded else {
            throw BinariesError(.badArchive, "cannot unpack \(artifact.fileName) (\(result.tail))",
                                fix: "nothing was placed; check that it is upstream's \(artifact.component) release for this version")
        }
        return root
    }

    /// A plain file (not a link, device or directory).
    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & 0o170000) == 0o100000
    }
}

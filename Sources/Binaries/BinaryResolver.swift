import Foundation
import Shell

/// Where each binary comes from: `binaries.dir` when the cluster file sets it (air-gapped: nothing
/// is downloaded); otherwise `<dir>/binaries` when the file is there (`lab up` fills it), else the
/// official release for the pinned version, sha256-checked and cached on this workstation.
public struct BinaryResolver: Sendable {
    public var directory: String
    public var downloads: Bool
    public var cache: String
    public var kubernetesVersion: String
    public var etcdVersion: String
    public var kubernetesBaseURL: String
    public var etcdBaseURL: String
    public var architecture: String

    public init(directory: String, downloads: Bool, cache: String, kubernetesVersion: String, etcdVersion: String,
                kubernetesBaseURL: String? = nil, etcdBaseURL: String? = nil, architecture: String = HostArchitecture.current) {
        let environment = ProcessInfo.processInfo.environment
        self.directory = directory
        self.downloads = downloads
        self.cache = cache
        self.kubernetesVersion = kubernetesVersion
        self.etcdVersion = etcdVersion
        self.kubernetesBaseURL = kubernetesBaseURL ?? environment["HARDWAY_KUBERNETES_RELEASE_URL"] ?? "https://dl.k8s.io/release"
        self.etcdBaseURL = etcdBaseURL ?? environment["HARDWAY_ETCD_RELEASE_URL"] ?? "https://github.com/etcd-io/etcd/releases/download"
        self.architecture = architecture
    }

    /// Where a downloaded binary would come from; nil for those only a package or binaries.dir gives.
    public func url(for need: BinaryNeed) -> String? {
        if need.kubernetes { return "\(kubernetesBaseURL)/\(kubernetesVersion)/bin/linux/\(architecture)/\(need.name)" }
        if ["etcd", "etcdctl"].contains(need.name) {
            return "\(etcdBaseURL)/\(etcdVersion)/etcd-\(etcdVersion)-linux-\(architecture).tar.gz"
        }
        return nil
    }

    /// The local file for a need, downloading it when allowed; nil when it cannot be had.
    public func file(for need: BinaryNeed, progress: (String) -> Void = { _ in }) throws -> String? {
        let local = "\(directory)/\(need.source)"
        if FileManager.default.fileExists(atPath: local) { return local }
        guard downloads else { return nil }
        return try release(for: need, progress: progress)
    }

    /// The official release's file for a need: from the cache, else downloaded and checked; nil when
    /// there is no download for it.
    public func release(for need: BinaryNeed, progress: (String) -> Void = { _ in }) throws -> String? {
        guard url(for: need) != nil else { return nil }
        let cached = "\(cache)/\(need.kubernetes ? kubernetesVersion : etcdVersion)/\(architecture)/\(need.name)"
        if FileManager.default.fileExists(atPath: cached) { return cached }
        try download(need, to: cached, progress: progress)
        return cached
    }

    /// Kubernetes: the file and its published `.sha256`. etcd: the release tarball, checked against
    /// the release's SHA256SUMS, then etcd and etcdctl taken out of it.
    func download(_ need: BinaryNeed, to destination: String, progress: (String) -> Void) throws {
        guard let url = url(for: need) else { return }
        let directory = (destination as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        progress("downloading \(url)")
        // Streamed to a file next to where it will live, never whole in memory.
        let temporary = destination + ".download"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        try Self.fetch(url, to: temporary)
        let digest = try FileDigest.sha256(ofFile: temporary)
        let expected: String
        if need.kubernetes {
            expected = try Self.fetchText(url + ".sha256").split(separator: " ").first.map(String.init)?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        } else {
            let sums = try Self.fetchText("\(etcdBaseURL)/\(etcdVersion)/SHA256SUMS")
            let name = (url as NSString).lastPathComponent
            expected = sums.split(separator: "\n").first { $0.hasSuffix(" " + name) || $0.hasSuffix("*" + name) }
                .flatMap { $0.split(separator: " ").first }.map(String.init) ?? ""
        }
        guard !expected.isEmpty, expected == digest else {
            throw BinariesError(.checksumMismatch, "\(url) does not match its published sha256 (got \(digest.prefix(16))…, expected \(expected.isEmpty ? "none found" : String(expected.prefix(16)) + "…"))",
                             fix: "nothing was kept; try again, or put the file in binaries.dir yourself")
        }
        if need.kubernetes {
            chmod(temporary, 0o755)
            guard rename(temporary, destination) == 0 else {
                throw BinariesError(.writeFailed, "cannot write \(destination): \(String(cString: strerror(errno)))", fix: "check the cache directory's permissions")
            }
        } else {
            try Exec.check("tar", ["-xzf", temporary, "-C", directory, "--strip-components=1", "--wildcards", "*/etcd", "*/etcdctl"],
                           what: "unpacking \((url as NSString).lastPathComponent)")
        }
    }

    /// `url` into `file` with curl (redirects followed, HTTP errors failing, 15 minutes at most).
    static func fetch(_ url: String, to file: String) throws {
        guard URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) == true else {
            throw BinariesError(.badURL, "\(url) is not a URL", fix: "check the version in the cluster file")
        }
        let result = try Exec.run("curl", ["-fsSL", "--proto", "=https,http", "--max-time", "900", "-o", file, "--", url], timeout: 960)
        guard result.succeeded else {
            throw BinariesError(.downloadFailed, "downloading \(url) failed (\(result.timedOut ? "no answer in 15 minutes" : result.tail))",
                             fix: "check the version in the cluster file and this workstation's internet access, or set binaries.dir to a directory holding the binaries")
        }
    }

    /// A small text file (a checksum file), read through a private scratch file.
    static func fetchText(_ url: String) throws -> String {
        let (path, descriptor) = try ScratchDirectory.shared.file("fetch")
        close(descriptor)
        defer { unlink(path) }
        try fetch(url, to: path)
        return String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }
}

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
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
        let data = try Self.fetch(url)
        let digest = FileDigest.sha256(data)
        let expected: String
        if need.kubernetes {
            expected = String(decoding: try Self.fetch(url + ".sha256"), as: UTF8.self).split(separator: " ").first.map(String.init)?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        } else {
            let sums = String(decoding: try Self.fetch("\(etcdBaseURL)/\(etcdVersion)/SHA256SUMS"), as: UTF8.self)
            let name = (url as NSString).lastPathComponent
            expected = sums.split(separator: "\n").first { $0.hasSuffix(" " + name) || $0.hasSuffix("*" + name) }
                .flatMap { $0.split(separator: " ").first }.map(String.init) ?? ""
        }
        guard !expected.isEmpty, expected == digest else {
            throw BinariesError(.checksumMismatch, "\(url) does not match its published sha256 (got \(digest.prefix(16))…, expected \(expected.isEmpty ? "none found" : String(expected.prefix(16)) + "…"))",
                             fix: "nothing was kept; try again, or put the file in binaries.dir yourself")
        }
        let temporary = destination + ".download"
        if need.kubernetes {
            try data.write(to: URL(fileURLWithPath: temporary))
            chmod(temporary, 0o755)
            guard rename(temporary, destination) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } else {
            let tarball = directory + "/etcd.tar.gz"
            try data.write(to: URL(fileURLWithPath: tarball))
            defer { try? FileManager.default.removeItem(atPath: tarball) }
            try Exec.check("tar", ["-xzf", tarball, "-C", directory, "--strip-components=1", "--wildcards", "*/etcd", "*/etcdctl"],
                           what: "unpacking \((url as NSString).lastPathComponent)")
        }
    }

    static func fetch(_ url: String) throws -> Data {
        guard let address = URL(string: url) else { throw BinariesError(.badURL, "\(url) is not a URL", fix: "check the version in the cluster file") }
        final class Box: @unchecked Sendable { var data: Data?; var status = 0; var error: String? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: address) { data, response, error in
            box.data = data
            box.status = (response as? HTTPURLResponse)?.statusCode ?? 0
            box.error = error?.localizedDescription
            done.signal()
        }
        task.resume()
        done.wait()
        guard box.error == nil, box.status == 200, let data = box.data else {
            throw BinariesError(.downloadFailed, "downloading \(url) failed (\(box.error ?? "HTTP \(box.status)"))",
                             fix: "check the version in the cluster file and this workstation's internet access, or set binaries.dir to a directory holding the binaries")
        }
        return data
    }
}

import Foundation
import Shell

/// Fills a cluster's binaries directory with everything apply ships, for the versions the cluster
/// file pins, from nothing but Debian's archive where it can:
///
/// - containerd, its runc shim and ctr from Debian's packages: the box's (Debian 12, containerd
///   1.6.20) when `containerdVersion` is theirs or not given, else Debian 13's (trixie, 1.7.24) when it
///   is theirs; another version is an error;
/// - runc and the CNI plugins from the box's Debian packages (trixie's runc does not run on Debian 12);
/// - etcd and etcdctl from Debian's packages when their version is the file's `etcdVersion` (the
///   box's 3.4.23, else trixie's 3.5.16), else from etcd's release download (sha256-checked);
/// - Kubernetes' six programs built from Debian's source package when it holds `kubernetesVersion`,
///   else from Kubernetes' release downloads (sha256-checked);
/// - `images/`: the pause image (built from the same source) and a busybox workload image, as OCI
///   archives that apply imports into every worker's containerd.
///
/// Trixie's packages are read through an apt state of hardway's own under `<cache>/debs/trixie`; the
/// box's apt configuration is never changed. Then every pinned binary's own `--version` is read and
/// recorded, and `SHA256SUMS` lists every file.
/// A release Debian does not build, or a named mirror, takes `runDownloads` instead (every binary
/// from upstream's release files); a bundle takes `runBundle`.
public final class BinariesBuild {
    public struct Item: Codable, Sendable, Equatable {
        public var name: String
        public var version: String?
        public var source: String
        public var sha256: String
        /// copied, kept (already there and right), replaced (there, but another version).
        public var action: String
    }

    public struct Image: Codable, Sendable, Equatable {
        public var file: String
        public var name: String
        public var sha256: String
        public var source: String
        /// written, kept, or yours (an archive hardway did not make: imported as it is).
        public var action: String
    }

    public struct Report: Codable, Sendable {
        public var directory: String
        public var kubernetesVersion: String
        public var etcdVersion: String
        public var binaries: [Item]
        public var images: [Image]
        public var sums: String
        /// Whether this run compiled Kubernetes (false: it came from the cache or a download).
        public var built: Bool
        public var seconds: Double
        /// Kubernetes' programs not in the directory (after a Debian-only run), each with how to get it.
        public var missing: [Missing]? = nil
        /// Every release the directory was filled for, when it was downloaded or unpacked from a bundle.
        public var releases: ReleaseVersions? = nil
    }

    public struct Missing: Codable, Sendable, Equatable {
        public var name: String
        public var fix: String
    }

    public static let debianBinaries: [(name: String, package: String, candidates: [String])] = [
        ("containerd", "containerd", ["/usr/bin/containerd"]),
        ("containerd-shim-runc-v2", "containerd", ["/usr/bin/containerd-shim-runc-v2"]),
        ("ctr", "containerd", ["/usr/bin/ctr"]),
        ("runc", "runc", ["/usr/sbin/runc", "/usr/bin/runc"]),
    ]
    public static let etcdBinaries: [(name: String, package: String, path: String)] = [
        ("etcd", "etcd-server", "/usr/bin/etcd"), ("etcdctl", "etcd-client", "/usr/bin/etcdctl"),
    ]
    public static let cniPackage = "containernetworking-plugins"
    public static let cniDirectory = "/usr/lib/cni"
    public static let busyboxPackage = "busybox-static"
    /// The workload image's name: local, so no node ever tries to pull it from a registry.
    public static func workloadImageName(busyboxVersion: String) -> String { "localhost/hardway/busybox:\(busyboxVersion)" }

    public let directory: String
    public let kubernetesVersion: String
    public let etcdVersion: String
    /// The file's `containerdVersion`; nil takes the box's Debian containerd, unpinned.
    public let containerdVersion: String?
    /// The file's `runcVersion`; nil takes the box's Debian runc. runc is never pinned.
    public let runcVersion: String?
    /// What containerd's sandbox_image names for this release: the name the pause image gets.
    public let pauseImage: String
    public let cache: String
    public let resolver: BinaryResolver
    let progress: (String) -> Void

    var items: [Item] = []
    var images: [Image] = []
    /// Which Debian release gives each package group at the file's version, decided once per run.
    var debianSources: [String: DebianSource] = [:]

    /// `cache` holds the Kubernetes build (`kubernetes/`) and downloaded .deb files (`debs/`, trixie's
    /// with its apt state in `debs/trixie/`).
    public init(directory: String, kubernetesVersion: String, etcdVersion: String, containerdVersion: String? = nil, runcVersion: String? = nil,
                pauseImage: String, cache: String, resolver: BinaryResolver, progress: @escaping (String) -> Void) {
        self.directory = directory
        self.kubernetesVersion = kubernetesVersion
        self.etcdVersion = etcdVersion
        self.containerdVersion = containerdVersion
        self.runcVersion = runcVersion
        self.pauseImage = pauseImage
        self.cache = cache
        self.resolver = resolver
        self.progress = progress
    }

    var versions: BinaryVersions { BinaryVersions(directory: directory) }
    /// The box's Debian (12, bookworm): what it has installed, else its archive.
    var packages: DebianPackages { DebianPackages(cache: "\(cache)/debs") }
    /// Debian 13 (trixie), through hardway's own apt state.
    var trixiePackages: DebianPackages { DebianPackages(cache: "\(cache)/debs/\(DebianPackages.trixie)", suite: DebianPackages.trixie) }

    /// Everything: Debian's programs, etcd, Kubernetes, the images, the versions and the sums.
    public func run() throws -> Report {
        let started = Date()
        try requireDebianRuntime()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let roots = try debianRoots(["containerd", "runc", Self.cniPackage, "etcd-server", "etcd-client", Self.busyboxPackage])
        try placeDebianPrograms(roots)
        try placeEtcd(roots)
        let kubernetes = try placeKubernetes()
        try placeImages(pause: kubernetes?.pause, busybox: roots[Self.busyboxPackage])
        let sums = try writeSums()
        return Report(directory: directory, kubernetesVersion: kubernetesVersion, etcdVersion: etcdVersion, binaries: items, images: images,
                      sums: sums, built: kubernetes?.built ?? false, seconds: Date().timeIntervalSince(started))
    }

    /// Only what Debian's binary packages give (what `lab up` gathers): containerd and etcd when
    /// Debian (bookworm or trixie) has their versions, runc when the box's is its version, the CNI
    /// plugins. Kubernetes, and what Debian lacks, are listed as missing with how to get them.
    public func runDebianOnly() throws -> Report {
        let started = Date()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let roots = try debianRoots(["containerd", "runc", Self.cniPackage, "etcd-server", "etcd-client"])
        try placeDebianPrograms(roots)
        if roots["etcd-server"] != nil { try placeEtcd(roots) }
        var missing = (KubernetesSourceBuild.components + (roots["etcd-server"] == nil ? ["etcd", "etcdctl"] : []))
            .map { Missing(name: $0, fix: "hardway binaries build") }
        // A version Debian lacks: what it has, and the two ways on.
        func fix(_ field: String, _ version: String, _ carried: [String], _ versions: [String]) -> String {
            "\(field) is \(version), which Debian lacks (\(carried.joined(separator: ", "))): "
                + (versions.isEmpty ? "" : "set \(field): \(Self.alternatives(versions)) to take Debian's, or ")
                + "let `hardway binaries build` download it (for a Kubernetes release Debian does not build, or with --mirror)"
        }
        if case .absent(let carried, let versions) = containerdSource, let containerdVersion {
            missing += BinaryVersions.containerdPrograms.map { Missing(name: $0, fix: fix("containerdVersion", containerdVersion, carried, versions)) }
        }
        if case .absent(let carried, let versions) = runcSource, let runcVersion {
            missing.append(Missing(name: "runc", fix: fix("runcVersion", runcVersion, carried, versions)))
        }
        missing = missing.filter { !FileManager.default.fileExists(atPath: "\(directory)/\($0.name)") }
        return Report(directory: directory, kubernetesVersion: kubernetesVersion, etcdVersion: etcdVersion, binaries: items, images: images,
                      sums: "", built: false, seconds: Date().timeIntervalSince(started), missing: missing)
    }

    // MARK: Debian's packages

    /// Debian's etcd version (installed, else the archive's), e.g. `v3.4.23`.
    public static func debianEtcdVersion() -> String? {
        (DebianPackages.installedVersion("etcd-server") ?? DebianPackages.candidateVersion("etcd-server"))
            .map { "v" + DebianPackages.upstreamVersion($0) }
    }

    /// Each wanted package's root, from the Debian release that has it at the file's version (the box's,
    /// or trixie's); a package no release has at that version is left out.
    func debianRoots(_ wanted: [String]) throws -> [String: DebianPackages.Root] {
        var groups: [(packages: DebianPackages, names: [String])] = []
        for package in wanted {
            guard let release = debianRelease(of: package) else { continue }
            if let index = groups.firstIndex(where: { $0.packages.cache == release.cache }) {
                groups[index].names.append(package)
            } else {
                groups.append((release, [package]))
            }
        }
        var roots: [String: DebianPackages.Root] = [:]
        for group in groups { roots.merge(try group.packages.roots(group.names, progress: progress)) { first, _ in first } }
        return roots
    }

    /// containerd's programs and runc from the packages `roots` holds (those left out are not placed),
    /// and the CNI plugins when `roots` holds them. containerd's are pinned when the file names its version.
    func placeDebianPrograms(_ roots: [String: DebianPackages.Root]) throws {
        for program in Self.debianBinaries {
            guard let root = roots[program.package] else { continue }
            guard let file = program.candidates.map(root.file).first(where: FileManager.default.isExecutableFile(atPath:)) else {
                throw BinariesError(.packageUnavailable, "Debian's \(program.package) package has no \(program.name)", fix: "check `dpkg -L \(program.package)`")
            }
            let pinned = BinaryVersions.expected(program.name, kubernetesVersion: kubernetesVersion, etcdVersion: etcdVersion, containerdVersion: containerdVersion) != nil
            try place(file, as: program.name, source: debianLabel(program.package, root), pinned: pinned)
        }
        guard let cni = roots[Self.cniPackage] else { return }
        let plugins = ((try? FileManager.default.contentsOfDirectory(atPath: cni.file(Self.cniDirectory))) ?? []).sorted()
        guard !plugins.isEmpty else {
            throw BinariesError(.packageUnavailable, "Debian's \(Self.cniPackage) package has no plugins in \(Self.cniDirectory)", fix: "check `dpkg -L \(Self.cniPackage)`")
        }
        try FileManager.default.createDirectory(atPath: "\(directory)/cni", withIntermediateDirectories: true)
        for plugin in plugins {
            try place(cni.file("\(Self.cniDirectory)/\(plugin)"), as: "cni/\(plugin)", source: debianLabel(Self.cniPackage, cni), pinned: false)
        }
    }

    // MARK: etcd

    /// etcd and etcdctl from the Debian release whose etcd is the file's version, else etcd's release download.
    func placeEtcd(_ roots: [String: DebianPackages.Root]) throws {
        if debianRelease(of: "etcd-server") != nil {
            for program in Self.etcdBinaries {
                guard let root = roots[program.package] else { continue }
                try place(root.file(program.path), as: program.name, source: debianLabel(program.package, root), pinned: true)
            }
            return
        }
        var otherwise = "Debian has no etcd-server", fix = "put etcd \(etcdVersion)'s etcd and etcdctl in \(directory) yourself"
        if case .absent(let carried, let versions) = etcdSource {
            otherwise = carried.joined(separator: ", ")
            if !versions.isEmpty { fix = "set etcdVersion: \(Self.alternatives(versions)) in the cluster file to use Debian's" }
        }
        for name in ["etcd", "etcdctl"] {
            let need = BinaryNeed(name: name, source: name, destination: "/usr/local/bin/\(name)", kubernetes: false)
            let file = try download(need, otherwise: otherwise, fix: fix)
            try place(file, as: name, source: resolver.url(for: need) ?? "download", pinned: true)
        }
    }

    // MARK: Kubernetes

    func placeKubernetes() throws -> KubernetesSourceBuild.Output? {
        let wanted = BinaryVersions.normalized(kubernetesVersion)
        let source = (try? KubernetesSourceBuild.sourcePackage()) ?? nil
        if let source, source.upstreamVersion == wanted {
            let output = try KubernetesSourceBuild(cache: "\(cache)/kubernetes").build(source, progress: progress)
            for component in KubernetesSourceBuild.components {
                try place(output.binaries[component]!, as: component, source: "built from Debian's source \(KubernetesSourceBuild.package) \(source.debianVersion)",
                          pinned: true)
            }
            return output
        }
        if source == nil, KubernetesSourceBuild.knownVersions.contains(wanted) {
            throw BinariesError(.noAptSources, "kubernetesVersion \(wanted) is built from Debian's source package \(KubernetesSourceBuild.package), but apt knows no source packages on this box",
                             fix: "pass --install-prerequisites (it adds this box's Debian sources as deb-src in \(DebianPackages.sourcesFile)), or add a deb-src line for bookworm yourself and run `apt-get update`")
        }
        let buildable = source.map { [$0.upstreamVersion] } ?? KubernetesSourceBuild.knownVersions
        for component in KubernetesSourceBuild.components {
            let need = BinaryNeed(name: component, source: component, destination: "/usr/local/bin/\(component)", kubernetes: true)
            let file = try download(need, otherwise: "hardway builds \(buildable.joined(separator: ", ")) from Debian's source here",
                                    fix: "set kubernetesVersion: \(buildable[0]) in the cluster file, or put the binaries in \(directory) yourself")
            try place(file, as: component, source: resolver.url(for: need) ?? "download", pinned: true)
        }
        return nil
    }

    /// A release download (sha256-checked, cached); its failure names what else was possible.
    func download(_ need: BinaryNeed, otherwise: String, fix: String) throws -> String {
        do {
            guard let file = try resolver.release(for: need, progress: progress) else {
                throw BinariesError(.noDownload, "no download is known for \(need.name)", fix: fix)
            }
            return file
        } catch let error as BinariesError {
            let version = need.kubernetes ? kubernetesVersion : etcdVersion
            throw BinariesError(.unavailable, "\(need.name) \(version) cannot be had: \(otherwise), and \(error.message)", fix: fix)
        }
    }

    // MARK: placing files

    /// Puts `file` at `<directory>/<name>`. A pinned binary already there is kept when its version is
    /// the file's, else replaced; another program already there is kept (it may be the user's own).
    func place(_ file: String, as name: String, source: String, pinned: Bool) throws {
        let destination = "\(directory)/\(name)"
        let fm = FileManager.default
        let sha = try FileDigest.sha256(ofFile: file)
        var action = "copied"
        if fm.fileExists(atPath: destination) {
            let existing = try FileDigest.sha256(ofFile: destination)
            let expected = BinaryVersions.expected((name as NSString).lastPathComponent, kubernetesVersion: kubernetesVersion, etcdVersion: etcdVersion,
                                                   containerdVersion: containerdVersion)
            let keep = existing == sha || !pinned || (expected != nil && (try? versions.version(of: name, sha256: existing).version).map(BinaryVersions.normalized) == expected)
            if keep {
                items.append(Item(name: name, version: try recordedVersion(name, sha: existing), source: existing == sha ? source : "already there",
                                  sha256: existing, action: "kept"))
                return
            }
            action = "replaced"
        }
        let temporary = destination + ".hardway-tmp"
        try? fm.removeItem(atPath: temporary)
        // A file of hardway's own cache is linked, not copied (the Kubernetes binaries are large); a
        // file of the system's packages is copied, so nothing here shares an inode with /usr.
        // The copy is written close-on-exec: it is run for its version right after.
        if !file.hasPrefix(cache + "/") || link(file, temporary) != 0 { try FileCopy.copy(file, to: temporary, mode: 0o755) }
        guard chmod(temporary, 0o755) == 0, rename(temporary, destination) == 0 else {
            throw BinariesError(.writeFailed, "cannot write \(destination): \(String(cString: strerror(errno)))", fix: "check the directory's permissions")
        }
        items.append(Item(name: name, version: try recordedVersion(name, sha: sha), source: source, sha256: sha, action: action))
    }

    /// The version of a program hardway can ask (not the CNI plugins), recorded in versions.json.
    func recordedVersion(_ name: String, sha: String) throws -> String? {
        guard !name.hasPrefix("cni/") else { return nil }
        let pinned = BinaryVersions.expected(name, kubernetesVersion: kubernetesVersion, etcdVersion: etcdVersion, containerdVersion: containerdVersion) != nil
        do {
            return try versions.version(of: name, sha256: sha).version
        } catch where !pinned {
            return nil
        }
    }

    /// `SHA256SUMS`: every file of the directory (binaries, cni/, images/), as `sha256sum -c` reads it.
    func writeSums() throws -> String {
        let fm = FileManager.default
        var lines: [String] = []
        let skip: Set<String> = ["SHA256SUMS", "versions.json"]
        guard let enumerator = fm.enumerator(atPath: directory) else { return "" }
        var files: [String] = []
        while let entry = enumerator.nextObject() as? String {
            let name = (entry as NSString).lastPathComponent
            if name.hasPrefix(".") { enumerator.skipDescendants(); continue }
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: "\(directory)/\(entry)", isDirectory: &isDirectory), !isDirectory.boolValue, !skip.contains(entry),
                  !entry.hasSuffix(".hardway-tmp"), !entry.hasSuffix(".partial"), !entry.hasSuffix(".new") else { continue }
            files.append(entry)
        }
        let known = Dictionary(items.map { ($0.name, $0.sha256) } + images.map { ($0.file, $0.sha256) }) { first, _ in first }
        for file in files.sorted() {
            lines.append("\(try known[file] ?? FileDigest.sha256(ofFile: "\(directory)/\(file)"))  \(file)")
        }
        let path = "\(directory)/SHA256SUMS"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path + ".tmp", atomically: false, encoding: .utf8)
        guard rename(path + ".tmp", path) == 0 else { throw BinariesError(.writeFailed, "cannot write \(path)", fix: "check the directory's permissions") }
        return path
    }
}

import Foundation
import Shell

/// Which Debian release gives etcd, containerd and runc at the cluster file's versions: the box's
/// (Debian 12: etcd 3.4.23, containerd 1.6.20, runc 1.1.5) first, then Debian 13 (trixie: etcd
/// 3.5.16, containerd 1.7.24) through hardway's own apt state. Trixie is read only when the box's
/// Debian lacks the version, and never for runc: trixie's runc does not run on Debian 12.
extension BinariesBuild {
    /// Where one package group comes from at the file's version.
    enum DebianSource {
        /// The release whose package has the version.
        case packages(DebianPackages)
        /// No release has it: what each has (`Debian bookworm has containerd v1.6.20`), and those versions.
        case absent(carried: [String], versions: [String])
    }

    /// The box's Debian by its codename (`Debian bookworm`), from /etc/os-release.
    static let boxRelease: String = {
        let text = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        let codename = text.split(separator: "\n").first { $0.hasPrefix("VERSION_CODENAME=") }
            .map { $0.dropFirst("VERSION_CODENAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"' ")) }
        return codename.map { $0.isEmpty ? "this box's Debian" : "Debian \($0)" } ?? "this box's Debian"
    }()

    /// etcd's source: the box's Debian, else trixie, at `etcdVersion`.
    var etcdSource: DebianSource { debianSource("etcd-server", version: etcdVersion, trixie: true) }

    /// containerd's: the box's when `containerdVersion` is nil or its version, else trixie's.
    var containerdSource: DebianSource {
        containerdVersion.map { debianSource("containerd", version: $0, trixie: true) } ?? .packages(packages)
    }

    /// runc's: the box's alone, when `runcVersion` is nil or its version.
    var runcSource: DebianSource {
        runcVersion.map { debianSource("runc", version: $0, trixie: false) } ?? .packages(packages)
    }

    /// The release a package is taken from (containerd, runc, etcd-server and etcd-client by their
    /// versions, the others the box's), or nil when Debian lacks the file's version.
    func debianRelease(of package: String) -> DebianPackages? {
        let source: DebianSource
        switch package {
        case "containerd": source = containerdSource
        case "runc": source = runcSource
        case "etcd-server", "etcd-client": source = etcdSource
        default: return packages
        }
        if case .packages(let packages) = source { return packages }
        return nil
    }

    /// `Debian containerd 1.6.20~ds1-1+deb12u3` for the box's package, `Debian trixie containerd 1.7.24~ds1-6+deb13u1` for a suite's.
    func debianLabel(_ package: String, _ root: DebianPackages.Root) -> String {
        let suite = debianRelease(of: package)?.suite
        return "Debian \(suite.map { "\($0) " } ?? "")\(package) \(root.version)"
    }

    /// The first release whose `package` is `version` (upstream's), decided once per run; what each
    /// has when none does. A suite whose index cannot be read counts as not having it, and says why.
    func debianSource(_ package: String, version: String, trixie: Bool) -> DebianSource {
        if let known = debianSources[package] { return known }
        let wanted = BinaryVersions.normalized(version)
        var carried: [String] = [], versions: [String] = []
        var source: DebianSource?
        search: for (release, name) in [(packages, Self.boxRelease)] + (trixie ? [(trixiePackages, "Debian \(DebianPackages.trixie)")] : []) {
            do {
                guard let debian = try release.version(of: package, progress: progress) else {
                    carried.append("\(name) has no \(package)")
                    continue
                }
                let upstream = BinaryVersions.normalized(DebianPackages.upstreamVersion(debian))
                if upstream == wanted {
                    source = .packages(release)
                    break search
                }
                carried.append("\(name) has \(package) \(upstream)")
                versions.append(upstream)
            } catch {
                carried.append("\(name)'s package index could not be read (\((error as? BinariesError)?.message ?? "\(error)"))")
            }
        }
        let result = source ?? .absent(carried: carried, versions: versions)
        debianSources[package] = result
        return result
    }

    /// `v1.6.20 or v1.7.24`.
    static func alternatives(_ versions: [String]) -> String {
        versions.count < 2 ? versions.joined() : versions.dropLast().joined(separator: ", ") + " or " + versions.last!
    }

    /// containerd and runc at the file's versions from Debian, or an error naming what Debian has and
    /// the field (a Debian build downloads neither).
    func requireDebianRuntime() throws {
        if let containerdVersion, case .absent(let carried, let versions) = containerdSource {
            throw BinariesError(.unavailable, "containerd \(containerdVersion) is not in Debian: \(carried.joined(separator: ", "))",
                                fix: (versions.isEmpty ? "" : "set containerdVersion: \(Self.alternatives(versions)) in the cluster file to take Debian's, or ")
                                    + "download every binary from a files repository with `hardway binaries build --mirror <url>`")
        }
        if let runcVersion, case .absent(let carried, let versions) = runcSource {
            throw BinariesError(.unavailable, "runc \(runcVersion) cannot be taken from Debian: \(carried.joined(separator: ", ")), and Debian \(DebianPackages.trixie)'s runc does not run on Debian 12",
                                fix: (versions.isEmpty ? "" : "set runcVersion: \(Self.alternatives(versions)) in the cluster file to take Debian's, or ")
                                    + "download every binary from a files repository with `hardway binaries build --mirror <url>`")
        }
    }

    // MARK: one program group alone

    /// etcd and etcdctl of `version` alone into `directory` (the upgrade's new binaries): from the
    /// box's Debian or trixie when one has that version, else etcd's release download (sha256-checked,
    /// cached under `<cache>/releases`). Each is recorded in versions.json; SHA256SUMS is written again
    /// when the directory has one. `cache` is what `binaries build` uses (`/var/cache/hardway`).
    public static func fillEtcd(version: String, directory: String, cache: String, progress: @escaping (String) -> Void = { _ in }) throws -> [Item] {
        let build = alone(directory: directory, etcdVersion: version, containerdVersion: nil, cache: cache, progress: progress)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try build.placeEtcd(build.debianRoots(["etcd-server", "etcd-client"]))
        try build.writeSumsAgain()
        return build.items
    }

    /// containerd, containerd-shim-runc-v2 and ctr of `version` alone into `directory`: from the box's
    /// Debian or trixie, whichever has that version, else an error naming what each has. Recorded and
    /// summed as `fillEtcd`'s.
    public static func fillContainerd(version: String, directory: String, cache: String, progress: @escaping (String) -> Void = { _ in }) throws -> [Item] {
        let build = alone(directory: directory, etcdVersion: "", containerdVersion: version, cache: cache, progress: progress)
        try build.requireDebianRuntime()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try build.placeDebianPrograms(build.debianRoots(["containerd"]))
        try build.writeSumsAgain()
        return build.items
    }

    /// A build that fills one program group; Kubernetes' version and the pause image play no part.
    static func alone(directory: String, etcdVersion: String, containerdVersion: String?, cache: String,
                      progress: @escaping (String) -> Void) -> BinariesBuild {
        let resolver = BinaryResolver(directory: directory, downloads: true, cache: "\(cache)/releases", kubernetesVersion: "", etcdVersion: etcdVersion)
        return BinariesBuild(directory: directory, kubernetesVersion: "", etcdVersion: etcdVersion, containerdVersion: containerdVersion,
                             pauseImage: "", cache: cache, resolver: resolver, progress: progress)
    }

    /// SHA256SUMS again when the directory has one, so it still lists every file as it is.
    func writeSumsAgain() throws {
        guard FileManager.default.fileExists(atPath: "\(directory)/SHA256SUMS") else { return }
        _ = try writeSums()
    }
}

import Foundation
import ClusterModel
import Binaries
import Shell

/// Every binary and image archive a run's phases ship, found once before any host is touched —
/// binaries.dir, `<dir>/binaries`, or the official release (downloaded when allowed) — each with
/// its sha256, and each one the cluster file pins checked to say that version.
struct ResolvedBinaries: Sendable {
    struct Local: Sendable, Equatable {
        var path: String
        var sha256: String
    }

    let resolver: BinaryResolver
    /// By the need's source (its path in the binaries directory).
    let files: [String: Local]
    /// The archives of the binaries directory's `images/`, when workers are set up.
    let images: [ImageArchive]

    var directory: String { resolver.directory }

    func file(for need: BinaryNeed) -> Local? { files[need.source] }

    static func resolve(cluster: Cluster, phases: [Phase], resolver: BinaryResolver, download: Bool, digests: LocalDigests = LocalDigests(known: [:]),
                        progress: (String) -> Void) throws -> ResolvedBinaries {
        var resolver = resolver
        if !download { resolver.downloads = false }
        var files: [String: Local] = [:]
        do {
            for need in cluster.hosts.flatMap({ BinaryNeed.needs(for: $0, cluster: cluster, phases: phases) }) where files[need.source] == nil {
                guard let file = try resolver.file(for: need, progress: progress) else { continue }
                let sha = try digests.sha256(ofFile: file)
                try checkVersion(need, file: file, sha256: sha, cluster: cluster)
                files[need.source] = Local(path: file, sha256: sha)
            }
            let images = phases.contains(.workers) && !cluster.workers.isEmpty ? try ImageArchive.list(in: "\(resolver.directory)/images", digest: digests.sha256(ofFile:)) : []
            return ResolvedBinaries(resolver: resolver, files: files, images: images)
        } catch let error as BinariesError {
            throw PhaseError(.missingBinary, .binaries, error.message, fix: error.fix ?? "check the binaries directory")
        } catch let error as ShellError {
            throw PhaseError(.missingBinary, .binaries, error.message, fix: error.fix ?? "check the binaries directory")
        }
    }

    /// A pinned binary (Kubernetes', etcd's, containerd's) must say the cluster file's version; Debian's
    /// `1.6.20~ds1` is containerd v1.6.20.
    static func checkVersion(_ need: BinaryNeed, file: String, sha256: String, cluster: Cluster) throws {
        guard let expected = BinaryVersions.expected(need.name, kubernetesVersion: cluster.kubernetesVersion, etcdVersion: cluster.etcdVersion,
                                                     containerdVersion: cluster.versions.containerd) else { return }
        let directory = (file as NSString).deletingLastPathComponent
        let found = try BinaryVersions(directory: directory).version(of: (file as NSString).lastPathComponent, name: need.name, sha256: sha256).version
        guard BinaryVersions.normalized(found) != expected else { return }
        let field = BinaryVersions.field(for: need.name) ?? (need.kubernetes ? "kubernetesVersion" : "etcdVersion")
        throw PhaseError(.wrongBinary, .binaries, "\(need.name) in \(directory) is \(found), but the cluster file's \(field) is \(expected)",
                         fix: "run `hardway binaries build -f <cluster file>` to put \(expected) there, or set \(field): \(BinaryVersions.normalized(found)) in the cluster file")
    }

    /// The error when a phase's binaries are not all there: each named, with how to supply them.
    func missing(for phase: Phase, cluster: Cluster) -> PhaseError? {
        var missing: [String: BinaryNeed] = [:]
        for machine in cluster.hosts {
            for need in BinaryNeed.needs(for: machine, cluster: cluster, phases: [phase]) where file(for: need) == nil {
                missing[need.source] = need
            }
        }
        guard !missing.isEmpty else { return nil }
        let names = missing.keys.sorted()
        let kubernetes = missing.values.contains { $0.kubernetes }
        let example = missing[names[0]]!
        let fix = kubernetes
            ? "run `hardway binaries build -f <cluster file>` (it builds v1.20.2 from Debian's source, or downloads other releases), or put them there yourself (e.g. `curl -fLo \(directory)/\(example.source) \(resolver.url(for: example) ?? "")`); or stop before this phase with `--until`"
            : "run `hardway binaries build -f <cluster file>` (it takes them from Debian's packages), or put them there yourself; or stop before this phase with `--until`"
        return PhaseError(.missingBinary, phase, "\(phase.rawValue) needs \(names.joined(separator: ", ")), not in \(directory)", fix: fix)
    }
}

import Foundation
import Testing
import Binaries
import Shell

/// `binaries build` for a release Debian does not build, through a mirror: a real HTTP server on
/// 127.0.0.1 serves stand-in artifacts in upstream's packing and checksum formats, laid out as
/// kubespray's files_repo. What is tested is fetching, checking against each published checksum,
/// unpacking upstream's packing and placing, never a real Kubernetes binary.
@Suite("binaries: release downloads through a mirror", .serialized)
struct ReleaseDownloadTests {
    /// A mirror on loopback with the stand-in release, and a scratch cache and binaries directory.
    final class Site {
        let server: LoopbackHTTPServer
        let release: StandInRelease
        let scratch = NSTemporaryDirectory() + "hardway-mirror-" + UUID().uuidString
        var mirror: String { server.url + "/download" }
        var directory: String { scratch + "/binaries" }

        init() throws {
            server = try LoopbackHTTPServer()
            release = try StandInRelease(root: server.root + "/download")
        }

        func build(_ versions: ReleaseVersions = StandInRelease.versions) throws -> BinariesBuild.Report {
            let resolver = BinaryResolver(directory: directory, downloads: false, cache: scratch + "/releases",
                                          kubernetesVersion: versions.kubernetes, etcdVersion: versions.etcd, architecture: "amd64")
            let build = BinariesBuild(directory: directory, kubernetesVersion: versions.kubernetes, etcdVersion: versions.etcd,
                                      pauseImage: "registry.k8s.io/pause:3.10.1", cache: scratch, resolver: resolver, progress: { _ in })
            let download = ReleaseDownload(versions: versions, architecture: "amd64", mirror: mirror, cache: scratch + "/downloads")
            return try build.runDownloads(download, workloadFromDebian: false)
        }

        func stop() {
            server.stop()
            try? FileManager.default.removeItem(atPath: scratch)
        }
    }

    @Test("a mirror build checks every checksum, unpacks upstream's packing and places every program with its version")
    func mirrorBuild() throws {
        let site = try Site()
        defer { site.stop() }
        let report = try site.build()
        let placed = Set(report.binaries.map(\.name))
        #expect(placed == Set(site.release.programs.keys), "exactly the programs apply ships: \(placed.sorted())")
        for (name, bytes) in site.release.programs {
            let path = "\(site.directory)/\(name)"
            #expect(FileManager.default.contents(atPath: path) == bytes, "\(name) is the release's file")
            #expect(FileManager.default.isExecutableFile(atPath: path), "\(name) is executable")
        }
        for left in ["etcdutl", "containerd-stress", "cni/README.md", "cni/LICENSE"] {
            #expect(!FileManager.default.fileExists(atPath: "\(site.directory)/\(left)"), "\(left) is not something apply ships")
        }
        let versions = Dictionary(uniqueKeysWithValues: report.binaries.map { ($0.name, $0.version) })
        #expect(versions["kube-apiserver"] == "v1.35.0" && versions["kubectl"] == "v1.35.0")
        #expect(versions["etcd"] == "v3.6.4" && versions["etcdctl"] == "v3.6.4")
        #expect(versions["containerd"] == "v2.1.4" && versions["runc"] == "1.3.0")
        let sources = Dictionary(uniqueKeysWithValues: report.binaries.map { ($0.name, $0.source) })
        #expect(sources["kube-apiserver"] == "\(site.mirror)/dl.k8s.io/release/v1.35.0/bin/linux/amd64/kube-apiserver")
        #expect(sources["etcd"] == "\(site.mirror)/github.com/etcd-io/etcd/releases/download/v3.6.4/etcd-v3.6.4-linux-amd64.tar.gz")
        #expect(sources["runc"] == "\(site.mirror)/github.com/opencontainers/runc/releases/download/v1.3.0/runc.amd64")
        #expect(report.releases == StandInRelease.versions)
        #expect(Set(report.missing?.map(\.name) ?? []) == ["images/pause.tar", "images/busybox.tar"])
        let check = try Exec.run("/bin/sh", ["-c", "cd \(shellQuote(site.directory)) && sha256sum --strict -c SHA256SUMS"])
        #expect(check.succeeded, "SHA256SUMS lists every placed file: \(check.tail)")
        #expect(check.stdout.split(separator: "\n").count == site.release.programs.count)

        // Again: the cache is used once its digest is the published one; nothing changes.
        let again = try site.build()
        #expect(again.binaries.allSatisfy { $0.action == "kept" }, "\(again.binaries.filter { $0.action != "kept" })")
    }

    /// One artifact of each checksum format, changed after its checksum was published.
    static let tamperable = ["kube-apiserver", "etcd-v3.6.4-linux-amd64.tar.gz", "containerd-2.1.4-linux-amd64.tar.gz", "runc.amd64",
                             "cni-plugins-linux-amd64-v1.6.2.tgz"]

    @Test("a file that does not match its published checksum is refused by name, and nothing is placed", arguments: tamperable)
    func tampered(artifact: String) throws {
        let site = try Site()
        defer { site.stop() }
        try site.release.tamper(artifact)
        do {
            _ = try site.build()
            Issue.record("the tampered \(artifact) was accepted")
        } catch let error as BinariesError {
            #expect(error.code == .checksumMismatch, "\(error)")
            #expect(error.message.hasPrefix("\(artifact) from \(site.mirror)/"), "\(error.message)")
            #expect(error.message.contains("does not match its published sha256"))
            #expect(error.fix?.hasPrefix("nothing was placed") == true)
        }
        #expect(!FileManager.default.fileExists(atPath: site.directory), "the binaries directory was not even made")
    }

    @Test("a release the mirror lacks, or a file missing beside its checksum, is an error naming the missing URL")
    func missing() throws {
        let site = try Site()
        defer { site.stop() }
        var newer = StandInRelease.versions
        newer.kubernetes = "v1.36.0"
        do {
            _ = try site.build(newer)
            Issue.record("a release the mirror lacks was downloaded")
        } catch let error as BinariesError {
            #expect(error.code == .downloadFailed)
            #expect(error.message.contains("\(site.mirror)/dl.k8s.io/release/v1.36.0/bin/linux/amd64/kube-apiserver.sha256"), "\(error.message)")
            #expect(error.message.contains("404"), "\(error.message)")
            #expect(error.fix?.contains("https://dl.k8s.io/release/v1.36.0/bin/linux/amd64/kube-apiserver") == true, "\(error.fix ?? "")")
        }
        try FileManager.default.removeItem(atPath: site.release.artifacts["runc.amd64"]!)
        do {
            _ = try site.build()
            Issue.record("a release without runc.amd64 was accepted")
        } catch let error as BinariesError {
            #expect(error.message.contains("\(site.mirror)/github.com/opencontainers/runc/releases/download/v1.3.0/runc.amd64 "), "\(error.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: site.directory))
    }

    @Test("without a mirror every file comes from upstream's own URL; a mirror puts upstream's host and path under it")
    func urls() {
        let artifacts = ReleaseArtifact.upstream(StandInRelease.versions, architecture: "amd64")
        let byName = Dictionary(uniqueKeysWithValues: artifacts.map { ($0.fileName, $0) })
        #expect(artifacts.count == 10)
        #expect(byName["kube-apiserver"]?.url == "https://dl.k8s.io/release/v1.35.0/bin/linux/amd64/kube-apiserver")
        #expect(byName["kube-apiserver"]?.checksumURL == "https://dl.k8s.io/release/v1.35.0/bin/linux/amd64/kube-apiserver.sha256")
        #expect(byName["etcd-v3.6.4-linux-amd64.tar.gz"]?.url == "https://github.com/etcd-io/etcd/releases/download/v3.6.4/etcd-v3.6.4-linux-amd64.tar.gz")
        #expect(byName["etcd-v3.6.4-linux-amd64.tar.gz"]?.checksumURL == "https://github.com/etcd-io/etcd/releases/download/v3.6.4/SHA256SUMS")
        #expect(byName["containerd-2.1.4-linux-amd64.tar.gz"]?.checksumURL
                == "https://github.com/containerd/containerd/releases/download/v2.1.4/containerd-2.1.4-linux-amd64.tar.gz.sha256sum")
        #expect(byName["runc.amd64"]?.checksumURL == "https://github.com/opencontainers/runc/releases/download/v1.3.0/runc.sha256sum")
        #expect(byName["cni-plugins-linux-amd64-v1.6.2.tgz"]?.url
                == "https://github.com/containernetworking/plugins/releases/download/v1.6.2/cni-plugins-linux-amd64-v1.6.2.tgz")
        #expect(ReleaseArtifact.mirrored("https://dl.k8s.io/release/v1.35.0/bin/linux/arm64/kubelet", mirror: "http://files.internal:8080/download")
                == "http://files.internal:8080/download/dl.k8s.io/release/v1.35.0/bin/linux/arm64/kubelet")
        #expect(ReleaseArtifact.mirrored("https://dl.k8s.io/x", mirror: nil) == "https://dl.k8s.io/x")
        let bare = ReleaseArtifact.upstream(ReleaseVersions(kubernetes: "1.35.0", etcd: "3.6.4", containerd: "2.1.4", runc: "1.3.0", cniPlugins: "1.6.2"),
                                            architecture: "arm64")
        #expect(bare.map(\.url).contains("https://github.com/opencontainers/runc/releases/download/v1.3.0/runc.arm64"), "versions without v mean the same")
    }
}

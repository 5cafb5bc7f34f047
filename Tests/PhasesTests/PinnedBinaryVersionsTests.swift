import Foundation
import Testing
import ClusterModel
import Binaries
import Shell
@testable import Phases
import TestSupport

/// apply's check, before any host is reached, that every pinned binary of the binaries directory says
/// the file's version: Kubernetes', etcd's, and containerd's three (Debian's `1.6.20~ds1` is
/// containerd v1.6.20). The binaries are stand-ins whose versions.json says what `binaries build`
/// recorded, so nothing is run.
@Suite struct PinnedBinaryVersionsTests {
    /// The fixture for Kubernetes v1.20.2 (the lab's release, whose pairing is Debian 12's containerd
    /// v1.6.20), with `lines` added.
    static func cluster(_ lines: String = "") throws -> Cluster {
        let resolution = ClusterResolver.resolve(text: Fixture.base + "\nkubernetesVersion: v1.20.2\n" + lines)
        return try #require(resolution.cluster, "\(resolution.diagnostics)")
    }

    /// A binaries directory holding `recorded` (name → what versions.json says of it).
    static func directory(_ recorded: [String: String]) throws -> String {
        let directory = try TemporaryDirectory.make("hardway-pinned")
        var entries: [String: BinaryVersions.Entry] = [:]
        for (name, version) in recorded {
            let contents = Data("stand-in \(name) \(version)\n".utf8)
            try contents.write(to: URL(fileURLWithPath: "\(directory)/\(name)"))
            entries[name] = BinaryVersions.Entry(sha256: FileDigest.sha256(contents), version: version)
        }
        try BinaryVersions(directory: directory).save(entries)
        return directory
    }

    static func check(_ name: String, in directory: String, cluster: Cluster) throws {
        let file = "\(directory)/\(name)"
        let need = BinaryNeed(name: name, source: name, destination: "/usr/local/bin/\(name)", kubernetes: false)
        try ResolvedBinaries.checkVersion(need, file: file, sha256: FileDigest.sha256(ofFile: file), cluster: cluster)
    }

    @Test("etcd 3.4.23 in the directory is refused for a file saying v3.5.16, naming both versions and the field")
    func etcdOfAnotherVersion() throws {
        let directory = try Self.directory(["etcd": "v3.4.23", "etcdctl": "v3.4.23"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cluster = try Self.cluster("etcdVersion: v3.5.16\n")
        for name in ["etcd", "etcdctl"] {
            let error = #expect(throws: PhaseError.self) { try Self.check(name, in: directory, cluster: cluster) }
            #expect(error?.code == .wrongBinary)
            #expect(error?.message == "\(name) in \(directory) is v3.4.23, but the cluster file's etcdVersion is v3.5.16", "\(String(describing: error))")
            #expect(error?.fix.contains("set etcdVersion: v3.4.23") == true && error?.fix.contains("hardway binaries build") == true)
        }
        try Self.check("etcd", in: directory, cluster: try Self.cluster("etcdVersion: v3.4.23\n"))
    }

    @Test("Debian 12's containerd 1.6.20~ds1 is refused for a file saying v1.7.24, each of its three programs, naming the field")
    func containerdOfAnotherVersion() throws {
        let directory = try Self.directory(["containerd": "1.6.20~ds1", "containerd-shim-runc-v2": "1.6.20~ds1", "ctr": "1.6.20~ds1"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cluster = try Self.cluster("containerdVersion: v1.7.24\n")
        for name in BinaryVersions.containerdPrograms {
            let error = #expect(throws: PhaseError.self) { try Self.check(name, in: directory, cluster: cluster) }
            #expect(error?.code == .wrongBinary)
            #expect(error?.message == "\(name) in \(directory) is 1.6.20~ds1, but the cluster file's containerdVersion is v1.7.24", "\(String(describing: error))")
            #expect(error?.fix.contains("set containerdVersion: v1.6.20 in the cluster file") == true, "\(String(describing: error?.fix))")
        }
    }

    @Test("Debian's repacks are the release they repack: 1.6.20~ds1 is the lab's v1.6.20 (the pairing, or written), 1.7.24~ds1 is v1.7.24; runc is not pinned")
    func debianRepacksAreTheirRelease() throws {
        let bookworm = try Self.directory(["containerd": "1.6.20~ds1", "containerd-shim-runc-v2": "1.6.20~ds1", "ctr": "1.6.20~ds1", "runc": "1.1.5+ds1"])
        let trixie = try Self.directory(["containerd": "1.7.24~ds1", "containerd-shim-runc-v2": "1.7.24~ds1", "ctr": "1.7.24~ds1"])
        defer { for directory in [bookworm, trixie] { try? FileManager.default.removeItem(atPath: directory) } }
        let pairing = try Self.cluster()
        #expect(pairing.versions.containerd == "v1.6.20")
        for name in BinaryVersions.containerdPrograms {
            try Self.check(name, in: bookworm, cluster: pairing)
            try Self.check(name, in: bookworm, cluster: try Self.cluster("containerdVersion: v1.6.20\n"))
            try Self.check(name, in: trixie, cluster: try Self.cluster("containerdVersion: v1.7.24\n"))
        }
        try Self.check("runc", in: bookworm, cluster: try Self.cluster("runcVersion: v1.1.12\n"))
    }

    @Test("apply's resolution refuses the workers' containerd before any host is reached")
    func resolutionRefusesTheWorkersContainerd() throws {
        let directory = try Self.directory(["containerd": "1.6.20~ds1", "containerd-shim-runc-v2": "1.6.20~ds1", "ctr": "1.6.20~ds1"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cluster = try Self.cluster("containerdVersion: v1.7.24\n")
        let resolver = BinaryResolver(directory: directory, downloads: false, cache: "\(directory)/cache", kubernetesVersion: cluster.kubernetesVersion,
                                      etcdVersion: cluster.etcdVersion)
        let error = #expect(throws: PhaseError.self) {
            try ResolvedBinaries.resolve(cluster: cluster, phases: Phase.allCases, resolver: resolver, download: false, progress: { _ in })
        }
        #expect(error?.code == .wrongBinary && error?.message.contains("containerdVersion is v1.7.24") == true, "\(String(describing: error))")
        _ = try ResolvedBinaries.resolve(cluster: try Self.cluster(), phases: Phase.allCases, resolver: resolver, download: false, progress: { _ in })
    }
}

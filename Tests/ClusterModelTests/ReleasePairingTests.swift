import Testing
@testable import ClusterModel
import TestSupport

/// The versions a cluster file gets: as written, or its Kubernetes release's pairing; and the floors.
@Suite struct ReleasePairingTests {
    static func resolve(_ lines: String, network: String? = nil) -> Resolution {
        var text = Fixture.base.replacingOccurrences(of: "name: test", with: "name: test\n\(lines)")
        if let network { text = text.replacingOccurrences(of: "  serviceCIDR: 10.32.0.0/24", with: "  serviceCIDR: 10.32.0.0/24\n  \(network)") }
        return ClusterResolver.resolve(text: text)
    }

    @Test func aReleaseWithoutVersionsTakesItsPairing() throws {
        let cluster = try #require(Self.resolve("kubernetesVersion: v1.36.2").cluster)
        #expect(cluster.etcdVersion == "v3.6.8")
        #expect(cluster.versions == Cluster.Versions(containerd: "v2.3.0", runc: "v1.4.2", cniPlugins: "v1.9.1"))
        #expect(cluster.network.proxyMode == .iptables)
        let newest = try #require(Self.resolve("kubernetesVersion: v1.37.0").cluster)
        #expect(newest.etcdVersion == "v3.7.0" && newest.versions.containerd == "v2.3.0")
        let older = try #require(Self.resolve("kubernetesVersion: v1.33.4").cluster)
        #expect(older.etcdVersion == "v3.5.21" && older.versions == Cluster.Versions(containerd: "v2.1.0", runc: "v1.3.0", cniPlugins: "v1.6.2"))
    }

    @Test func existingFilesKeepTheirVersions() throws {
        // The lab: Debian 12's containerd, runc and CNI plugins beside its etcd.
        let lab = try #require(ClusterResolver.resolve(text: ClusterExamples.named("lab")!.text).cluster)
        #expect(lab.kubernetesVersion == "v1.20.2" && lab.etcdVersion == "v3.4.23")
        #expect(lab.versions == Cluster.Versions(containerd: "v1.6.20", runc: "v1.1.5", cniPlugins: "v1.1.1"))
        // A file naming no version gets the default release and the etcd it always got.
        let bare = try #require(Fixture.resolve(Fixture.base).cluster)
        #expect(bare.kubernetesVersion == "v1.31.4" && bare.etcdVersion == "v3.5.17")
        #expect(try #require(Self.resolve("kubernetesVersion: v1.20.2").cluster).etcdVersion == "v3.5.17")
    }

    @Test func namedVersionsWin() throws {
        let cluster = try #require(Self.resolve("kubernetesVersion: v1.35.0\netcdVersion: v3.6.11\ncontainerdVersion: v1.7.28\nruncVersion: v1.3.4\ncniPluginsVersion: v1.9.1").cluster)
        #expect(cluster.etcdVersion == "v3.6.11")
        #expect(cluster.versions == Cluster.Versions(containerd: "v1.7.28", runc: "v1.3.4", cniPlugins: "v1.9.1"))
    }

    @Test func containerdOneIsRefusedFrom136NamingThePath() throws {
        for release in ["v1.36.0", "v1.37.0"] {
            let resolution = Self.resolve("kubernetesVersion: \(release)\ncontainerdVersion: v1.7.28")
            let error = try #require(resolution.diagnostics.first { $0.isError }, "\(release)")
            #expect(resolution.cluster == nil && error.path == "containerdVersion" && error.code == "unsupported-version")
            #expect(error.message.contains("containerd 2.0 or later") && error.message.contains("v1.7.28"), "\(error)")
            #expect(error.fix?.contains("v2.3.0") == true && error.fix?.contains("v1.35") == true, "\(error)")
        }
        #expect(Self.resolve("kubernetesVersion: v1.35.3\ncontainerdVersion: v1.7.28").cluster != nil, "1.35 is the last on containerd 1.x")
        #expect(Self.resolve("kubernetesVersion: v1.36.0\ncontainerdVersion: v2.0.0").cluster != nil, "2.0 is the floor itself")
        // The CRI v1 floor of every current release.
        let old = Self.resolve("kubernetesVersion: v1.33.0\ncontainerdVersion: v1.6.14")
        #expect(old.diagnostics.contains { $0.path == "containerdVersion" && $0.message.contains("1.6.15") }, "\(old.diagnostics)")
    }

    @Test func etcdMinorsTheReleaseDoesNotRunOnAreRefusedNamingTheSupportedOnes() throws {
        let resolution = Self.resolve("kubernetesVersion: v1.36.0\netcdVersion: v3.5.17")
        let error = try #require(resolution.diagnostics.first { $0.path == "etcdVersion" })
        #expect(error.isError && error.code == "unsupported-version" && error.message.contains("etcd 3.6"), "\(error)")
        #expect(error.fix?.contains("v3.6.8") == true, "\(error)")
        #expect(Self.resolve("kubernetesVersion: v1.37.0\netcdVersion: v3.8.0").diagnostics.contains {
            $0.path == "etcdVersion" && $0.message.contains("etcd 3.6 or etcd 3.7")
        })
        #expect(Self.resolve("kubernetesVersion: v1.34.0\netcdVersion: v3.5.24").cluster != nil)
    }

    @Test func versionsThatDoNotExistAreRefused() throws {
        let unknown = Self.resolve("kubernetesVersion: v1.38.0")
        let error = try #require(unknown.diagnostics.first { $0.path == "kubernetesVersion" })
        #expect(error.code == "unsupported-version" && error.fix?.contains("v1.20, v1.30, v1.31, v1.32, v1.33, v1.34, v1.35, v1.36, v1.37") == true, "\(error)")
        #expect(!unknown.diagnostics.contains { $0.path == "etcdVersion" || $0.path == "containerdVersion" }, "one error, at the release")
        for (line, path) in [("containerdVersion: v3.0.0", "containerdVersion"), ("runcVersion: v2.0.0", "runcVersion"),
                             ("cniPluginsVersion: v0.9.1", "cniPluginsVersion"), ("containerdVersion: 2.1.0", "containerdVersion"),
                             ("runcVersion: v1.4", "runcVersion")] {
            let resolution = Self.resolve("kubernetesVersion: v1.35.0\n\(line)")
            #expect(resolution.cluster == nil && resolution.diagnostics.contains { $0.path == path && $0.isError }, "\(line): \(resolution.diagnostics)")
        }
    }

    @Test func proxyModeFollowsTheRelease() throws {
        #expect(try #require(Self.resolve("kubernetesVersion: v1.33.0", network: "proxyMode: nftables").cluster).network.proxyMode == .nftables)
        #expect(Self.resolve("kubernetesVersion: v1.31.0", network: "proxyMode: nftables").cluster?.network.proxyMode == .nftables, "beta, on by default")
        for release in ["v1.30.0", "v1.20.2"] {
            let refused = Self.resolve("kubernetesVersion: \(release)", network: "proxyMode: nftables")
            let error = try #require(refused.diagnostics.first { $0.path == "network.proxyMode" }, "\(release)")
            #expect(error.isError && error.fix?.contains("v1.31") == true && refused.cluster == nil, "\(error)")
        }
        let ipvs = Self.resolve("kubernetesVersion: v1.35.0", network: "proxyMode: ipvs")
        #expect(ipvs.cluster?.network.proxyMode == .ipvs && ipvs.diagnostics.map(\.code) == ["deprecated-value"], "\(ipvs.diagnostics)")
        #expect(Self.resolve("kubernetesVersion: v1.34.0", network: "proxyMode: ipvs").diagnostics.isEmpty, "ipvs is deprecated only from 1.35")
    }

    @Test func theTableHoldsTogether() throws {
        #expect(ClusterResolver.supportedKubernetesMinors == ["1.20", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37"])
        for pairing in ReleasePairing.table {
            let etcd = try #require(ReleaseVersion(pairing.etcd))
            #expect(pairing.etcdMinors.contains(etcd.minorName), "\(pairing.minor): its etcd default is one it runs on")
            #expect(try #require(ReleaseVersion(pairing.containerd)) >= pairing.containerdFloor, "\(pairing.minor): its containerd meets its floor")
            #expect(ReleaseVersion(pairing.runc) != nil && ReleaseVersion(pairing.cniPlugins) != nil)
            #expect(pairing.proxyModes.contains(.iptables))
            let minor = try #require(Double(pairing.minor))
            #expect(pairing.kubeletNeedsCgroupV2 == (minor >= 1.35) && pairing.ipvsDeprecated == (minor >= 1.35), "\(pairing.minor)")
            #expect((pairing.containerdFloor.major >= 2) == (minor >= 1.36), "\(pairing.minor)")
        }
        #expect(ReleaseVersion("v1.10.0")! > ReleaseVersion("v1.9.12")!, "versions compare as numbers")
        #expect(ReleaseVersion("v1.35.0-rc.1") == nil && ReleaseVersion("1.35.0") == nil)
    }
}

import Testing
@testable import ClusterModel
import TestSupport

/// An upgrade judged from versions alone: what changes on which host, and what is refused before
/// any host is touched — a skipped Kubernetes or etcd minor, a downgrade of either, a kubelet newer
/// than its API servers — each naming the hosts, the field and what to do instead.
@Suite("upgrade rules")
struct UpgradeRulesTests {
    static func file(kubernetes: String, etcd: String, containerd: String? = nil) -> String {
        """
        apiVersion: hardway/v1
        kind: Cluster
        name: test
        kubernetesVersion: \(kubernetes)
        etcdVersion: \(etcd)
        \(containerd.map { "containerdVersion: \($0)" } ?? "")
        network: { nodeCIDR: 10.240.0.0/24, podCIDR: 10.200.0.0/16, serviceCIDR: 10.32.0.0/24 }
        api: { endpoint: 10.240.0.5 }
        loadBalancer: { kind: haproxy, host: lb-0 }
        hosts:
          - { name: lb-0, address: 10.240.0.5, roles: [loadbalancer] }
          - { name: c-0, address: 10.240.0.10, roles: [controller] }
          - { name: c-1, address: 10.240.0.11, roles: [controller] }
          - { name: c-2, address: 10.240.0.12, roles: [controller] }
          - { name: w-0, address: 10.240.0.20, roles: [worker] }
        """
    }

    /// What apply records for the file's hosts after applying `kubernetes` and `etcd`.
    static func running(kubernetes: String, etcd: String, containerd: String = "v1.6.20") -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for host in ["c-0", "c-1", "c-2"] {
            result[host] = ["etcd": etcd, "kube-apiserver": kubernetes, "kube-controller-manager": kubernetes, "kube-scheduler": kubernetes]
        }
        result["w-0"] = ["kubelet": kubernetes, "kube-proxy": kubernetes, "containerd": containerd, "runc": "v1.1.5", "cni-plugins": "v1.1.1"]
        return result
    }

    func resolve(_ text: String, running: [String: [String: String]]) -> Resolution {
        ClusterResolver.resolve(text: text, provisioned: Provisioned(versions: running))
    }

    @Test("etcd and containerd changed: one change per component and host, each from the recorded version to the file's; nothing is refused")
    func changesAreListed() throws {
        let resolution = resolve(Self.file(kubernetes: "v1.20.2", etcd: "v3.5.16", containerd: "v1.7.24"),
                                 running: Self.running(kubernetes: "v1.20.2", etcd: "v3.4.23"))
        let cluster = try #require(resolution.cluster, "\(resolution.diagnostics)")
        let changes = UpgradeRules.changes(current: Self.running(kubernetes: "v1.20.2", etcd: "v3.4.23", containerd: "v1.6.20~ds1"),
                                           targets: UpgradeRules.targets(cluster))
        #expect(changes.map { "\($0.host) \($0.component) \($0.from) → \($0.to)" } == [
            "c-0 etcd v3.4.23 → v3.5.16", "c-1 etcd v3.4.23 → v3.5.16", "c-2 etcd v3.4.23 → v3.5.16", "w-0 containerd v1.6.20 → v1.7.24",
        ], "Debian's `1.6.20~ds1` reads as v1.6.20")
        #expect(UpgradeRules.changes(current: Self.running(kubernetes: "v1.20.2", etcd: "v3.5.16", containerd: "v1.7.24"), targets: UpgradeRules.targets(cluster)).isEmpty)
    }

    @Test("Kubernetes 1.20 → 1.22 is refused as a skipped minor, naming the hosts, the running version and the release to go through")
    func skippedKubernetesMinor() throws {
        let resolution = resolve(Self.file(kubernetes: "v1.22.0", etcd: "v3.4.23"), running: Self.running(kubernetes: "v1.20.2", etcd: "v3.4.23"))
        #expect(resolution.cluster == nil)
        let refusal = try #require(resolution.diagnostics.errors.first { $0.code == "upgrade-skips-minor" }, "\(resolution.diagnostics)")
        #expect(refusal.path == "kubernetesVersion")
        #expect(refusal.message.contains("skips Kubernetes 1.21") && refusal.message.contains("v1.20.2") && refusal.message.contains("c-0, c-1, c-2, w-0"), "\(refusal.message)")
        #expect(refusal.fix?.contains("v1.21") == true, "\(refusal.fix ?? "")")
        // One minor at a time is an upgrade, not a refusal (1.33 → 1.34 has release data on both sides).
        let next = resolve(Self.file(kubernetes: "v1.34.0", etcd: "v3.5.16"), running: Self.running(kubernetes: "v1.33.1", etcd: "v3.5.16"))
        #expect(!next.diagnostics.errors.contains { $0.code.hasPrefix("upgrade-") }, "\(next.diagnostics)")
    }

    @Test("a downgrade of etcd or Kubernetes is refused, naming the newer version the hosts run and the snapshot to restore instead")
    func downgradesAreRefused() throws {
        let etcd = resolve(Self.file(kubernetes: "v1.20.2", etcd: "v3.4.23"), running: Self.running(kubernetes: "v1.20.2", etcd: "v3.5.16"))
        let refusal = try #require(etcd.diagnostics.errors.first { $0.code == "upgrade-downgrade" }, "\(etcd.diagnostics)")
        #expect(refusal.path == "etcdVersion" && refusal.message.contains("v3.5.16") && refusal.message.contains("c-0, c-1, c-2"), "\(refusal.message)")
        #expect(refusal.fix?.contains("snapshot restore") == true)
        let kubernetes = resolve(Self.file(kubernetes: "v1.33.0", etcd: "v3.5.16"), running: Self.running(kubernetes: "v1.34.1", etcd: "v3.5.16"))
        #expect(kubernetes.diagnostics.errors.contains { $0.code == "upgrade-downgrade" && $0.path == "kubernetesVersion" }, "\(kubernetes.diagnostics)")
        // containerd may go back (its state is not versioned the way etcd's data is).
        let containerd = resolve(Self.file(kubernetes: "v1.20.2", etcd: "v3.4.23", containerd: "v1.6.20"),
                                 running: Self.running(kubernetes: "v1.20.2", etcd: "v3.4.23", containerd: "v1.7.24"))
        #expect(containerd.diagnostics.errors.isEmpty, "\(containerd.diagnostics)")
    }

    @Test("etcd 3.4 → 3.6 is refused as a skipped etcd minor")
    func skippedEtcdMinor() throws {
        let refusals = UpgradeRules.refusals(current: Self.running(kubernetes: "v1.33.1", etcd: "v3.4.23"),
                                             targets: ["kubernetesVersion": "v1.33.1", "etcdVersion": "v3.6.4"])
        let refusal = try #require(refusals.first)
        #expect(refusals.count == 1 && refusal.code == "upgrade-skips-etcd-minor" && refusal.field == "etcdVersion")
        #expect(refusal.message.contains("skips etcd 3.5") && refusal.fix.contains("v3.5"), "\(refusal)")
    }

    @Test("a kubelet newer than an API server is refused, now or in the order apply would take")
    func kubeletNeverNewerThanItsAPIServers() throws {
        var running = Self.running(kubernetes: "v1.33.1", etcd: "v3.5.16")
        running["w-0"]!["kubelet"] = "v1.34.0"
        let refusals = UpgradeRules.refusals(current: running, targets: ["kubernetesVersion": "v1.34.0", "etcdVersion": "v3.5.16"])
        #expect(refusals.map(\.code) == ["upgrade-kubelet-skew"], "\(refusals)")
        #expect(refusals.first?.message.contains("w-0 (v1.34.0)") == true)
        #expect(UpgradeRules.kubeletTooNew("v1.34.0", apiServers: ["c-0": "v1.34.0", "c-1": "v1.33.1", "c-2": "v1.34.0"])?.contains("c-1 (v1.33.1)") == true)
        #expect(UpgradeRules.kubeletTooNew("v1.34.0", apiServers: ["c-0": "v1.34.0", "c-1": "v1.34.0"]) == nil)
    }
}

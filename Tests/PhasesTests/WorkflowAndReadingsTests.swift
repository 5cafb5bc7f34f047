import Foundation
import Testing
import ClusterModel
@testable import Phases
import Binaries
import TestSupport

@Suite("phases: order, binaries per host, what is read back from Kubernetes")
struct PhasesTests {
    func cluster(_ text: String = Fixture.base) throws -> Cluster {
        let resolution = ClusterResolver.resolve(text: text)
        return try #require(resolution.cluster, "\(resolution.diagnostics)")
    }

    @Test("--until stops are in order, and through(x) is every phase up to x")
    func order() {
        #expect(Phase.through(.etcd) == [.connect, .preflight, .upgrade, .distribute, .binaries, .network, .etcd])
        #expect(Phase.through(nil).last == .smoke)
        #expect(Phase.stops.map(\.rawValue) == ["network", "etcd", "loadbalancer", "control-plane", "workers", "addons"])
        #expect(Phase.controlPlane > .loadbalancer && Phase.rbac < .workers)
    }

    @Test("each host needs only its roles' binaries, and only for the phases that run")
    func binaries() throws {
        let cluster = try cluster()
        let master = try #require(cluster.host(named: "master-0"))
        let worker = try #require(cluster.host(named: "worker-0"))
        let lb = try #require(cluster.host(named: "lb-0"))
        let untilLB = Phase.through(.loadbalancer)
        #expect(BinaryNeed.needs(for: master, cluster: cluster, phases: untilLB).map(\.destination) == ["/usr/local/bin/etcd", "/usr/local/bin/etcdctl"])
        #expect(BinaryNeed.needs(for: worker, cluster: cluster, phases: untilLB).map(\.destination)
                == ["/opt/cni/bin/bridge", "/opt/cni/bin/host-local", "/opt/cni/bin/loopback"])
        #expect(BinaryNeed.needs(for: lb, cluster: cluster, phases: Phase.through(nil)).isEmpty)
        let all = BinaryNeed.needs(for: worker, cluster: cluster, phases: Phase.through(nil))
        #expect(all.filter(\.kubernetes).map(\.name) == ["kubelet", "kube-proxy"])
        #expect(all.first { $0.name == "runc" }?.destination == "/usr/local/bin/runc")
        #expect(BinaryNeed.needs(for: master, cluster: cluster, phases: Phase.through(nil)).filter(\.kubernetes).map(\.name)
                == ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"])
    }

    @Test("Ready nodes from kubectl's JSON: Ready=True only; a node without conditions is not Ready")
    func readyNodes() {
        let json = """
        {"items": [
          {"metadata": {"name": "worker-0"}, "status": {"conditions": [{"type": "MemoryPressure", "status": "False"}, {"type": "Ready", "status": "True"}]}},
          {"metadata": {"name": "worker-1"}, "status": {"conditions": [{"type": "Ready", "status": "False"}]}},
          {"metadata": {"name": "worker-2"}, "status": {}}
        ]}
        """
        #expect(KubernetesReadings.nodes(json).mapValues(\.ready) == ["worker-0": true, "worker-1": false, "worker-2": false])
        #expect(KubernetesReadings.nodes("error: the server doesn't have a resource type").isEmpty)
    }

    @Test("nodes not Ready yet: not Ready, not registered, or not reported since their restart (5 s of clock skew allowed)")
    func nodesNotReadyYet() {
        let restart = Date(timeIntervalSince1970: 1_000_000)
        func node(_ ready: Bool, _ heartbeat: TimeInterval?, _ reason: String = "") -> KubernetesReadings.Node {
            .init(ready: ready, heartbeat: heartbeat.map { restart.addingTimeInterval($0) }, reason: reason, kubeletVersion: "v1.20.2", runtime: "containerd://1.6.20")
        }
        let nodes = ["a": node(true, 2), "b": node(true, -4), "c": node(true, -30), "d": node(false, 3, "kubelet stopped posting node status"), "e": node(true, nil)]
        let names = ["e", "d", "c", "b", "a", "f"]
        #expect(KubernetesReadings.notReady(nodes, names) { _ in restart } == ["c ()", "d (kubelet stopped posting node status)", "e ()", "f (not registered)"])
        #expect(KubernetesReadings.notReady(nodes, names) { _ in nil } == ["d (kubelet stopped posting node status)", "f (not registered)"], "without a restart, Ready is enough")
        #expect(KubernetesReadings.notReady(nodes, ["c", "e"]) { $0 == "c" ? restart : nil } == ["c ()"])
        // By the node's own clock, no allowance: a report from before the kubelet's start is its predecessor's.
        let a = restart.addingTimeInterval(2)
        #expect(KubernetesReadings.notReady(nodes, ["a"], after: { _ in a }) { _ in nil }.isEmpty)
        #expect(KubernetesReadings.notReady(nodes, ["a", "b"], after: { _ in a.addingTimeInterval(1) }) { _ in restart } == ["a ()", "b ()"], "b is within the 5 s allowed, not after its start")
    }

    @Test("a secret counts as encrypted only with the configured provider's prefix")
    func encryption() {
        #expect(KubernetesReadings.encryptionPrefix(.aescbc) == "k8s:enc:aescbc:v1:")
        #expect(KubernetesReadings.isEncrypted(raw: "k8s:enc:aescbc:v1:key1:\u{1}\u{2}", provider: .aescbc))
        #expect(!KubernetesReadings.isEncrypted(raw: "k8s\u{0}\n\u{c}\n\u{2}v1\u{12}\u{6}Secret", provider: .aescbc))
        #expect(!KubernetesReadings.isEncrypted(raw: "k8s:enc:aescbc:v1:key1:", provider: .secretbox))
    }

    @Test("ApplyRecord round-trips through its file and tells applied from not")
    func record() throws {
        let path = NSTemporaryDirectory() + "applied-" + UUID().uuidString + ".json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var record = ApplyRecord()
        record.phases[Phase.etcd.rawValue] = Date(timeIntervalSince1970: 1_800_000_000)
        try record.save(path)
        let loaded = try ApplyRecord.load(path)
        #expect(loaded.applied(.etcd) && !loaded.applied(.controlPlane))
        #expect(try !ApplyRecord.load(path + ".missing").applied(.etcd))
    }

    /// A Lease as v1.20's kubectl prints it (renewTime with microseconds).
    @Test func leaseHolderAndRenewal() throws {
        let json = #"{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"kube-controller-manager","namespace":"kube-system"},"spec":{"acquireTime":"2026-11-29T10:16:08.702165Z","holderIdentity":"master-1_4eb93eea-9d12-4211-b4d1-08bd7691e91d","leaseDurationSeconds":15,"leaseTransitions":1,"renewTime":"2026-11-29T10:18:52.104041Z"}}"#
        let now = ISO8601DateFormatter().date(from: "2026-11-29T10:18:55Z")!
        let lease = try #require(KubernetesReadings.lease(json, now: now))
        #expect(lease.holder == "master-1_4eb93eea-9d12-4211-b4d1-08bd7691e91d" && lease.duration == 15)
        #expect(lease.secondsSinceRenewal > 2.8 && lease.secondsSinceRenewal < 3.0, "\(lease.secondsSinceRenewal)")
        #expect(KubernetesReadings.lease("", now: now) == nil)
    }
}

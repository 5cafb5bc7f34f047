import Foundation
import Testing
import ClusterModel
import Phases
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
        #expect(Phase.through(.etcd) == [.connect, .preflight, .distribute, .binaries, .network, .etcd])
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
        let loaded = ApplyRecord.load(path)
        #expect(loaded.applied(.etcd) && !loaded.applied(.controlPlane))
        #expect(!ApplyRecord.load(path + ".missing").applied(.etcd))
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

@Suite("check's versions: what the running processes say, beside the file's")
struct RunningVersionsTests {
    /// What `/proc/PID/exe --version` printed on a controller and a worker of v1.20.2 with Debian's etcd and containerd.
    static let controller = """
    == etcd
    etcd Version: 3.4.23
    Git SHA: Not provided (use ./build instead of go build)
    Go Version: go1.19.8
    == kube-apiserver
    Kubernetes v1.20.2
    == kube-controller-manager
    Kubernetes v1.20.2
    == kube-scheduler
    not running
    """
    static let worker = """
    == containerd
    containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+b1
    == kubelet
    Kubernetes v1.20.1
    == kube-proxy
    Kubernetes v1.20.2
    """

    @Test("each program's own words give its version; a stopped unit gives none")
    func parsing() {
        #expect(RunningVersions.parse(Self.controller) == ["etcd": "v3.4.23", "kube-apiserver": "v1.20.2", "kube-controller-manager": "v1.20.2"])
        #expect(RunningVersions.parse(Self.worker) == ["containerd": "v1.6.20~ds1", "kubelet": "v1.20.1", "kube-proxy": "v1.20.2"])
        #expect(RunningVersions.script(units: ["etcd"]).contains("/proc/$pid/exe --version"))
    }

    @Test("a row per component: ok when every host runs the file's version; else which host runs what, and the fix")
    func rows() throws {
        let text = Fixture.base.replacingOccurrences(of: "name: test", with: "name: test\nkubernetesVersion: v1.20.2\netcdVersion: v3.4.23")
        let cluster = try #require(ClusterResolver.resolve(text: text).cluster)
        var running: [String: [String: String]] = [:]
        for machine in cluster.hosts {
            if machine.has(.controller) { running[machine.name] = RunningVersions.parse(Self.controller) }
            if machine.has(.worker) { running[machine.name] = RunningVersions.parse(Self.worker) }
        }
        running["master-1"]?["kube-scheduler"] = "v1.20.2"
        let rows = RunningVersions.rows(cluster: cluster, running: running)
        func row(_ unit: String) throws -> CheckRow { try #require(rows.first { $0.subject == unit }, "\(unit): \(rows)") }
        #expect(try row("etcd").state == .ok && row("etcd").detail.hasPrefix("v3.4.23 on all 3 hosts (the file's v3.4.23)"))
        #expect(try row("kube-apiserver").state == .ok)
        #expect(try row("containerd").detail.contains("(not pinned in the file)"))
        let kubelet = try row("kubelet")
        #expect(kubelet.state == .failed && kubelet.detail.contains("worker-0 runs v1.20.1") && kubelet.detail.contains("the file says v1.20.2"), "\(kubelet)")
        let scheduler = try row("kube-scheduler")
        #expect(scheduler.state == .failed && scheduler.detail.contains("master-0, master-2 run none"), "\(scheduler)")
        #expect(rows.allSatisfy { $0.area == "versions" })
    }
}

@Suite("check's certificates row")
struct CertificateExpiryTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("ok with a month to spare; a warning, with the renewing commands, from 30 days before; failed once expired")
    func stages() {
        let ok = CertificateExpiry.row(count: 20, first: "admin", notAfter: now.addingTimeInterval(40 * 86_400), isCA: false, now: now, clusterFile: "lab.yaml")
        #expect(ok.state == .ok && ok.detail.hasPrefix("first to expire: admin on ") && ok.detail.hasSuffix("(40 days)"))
        let soon = CertificateExpiry.row(count: 20, first: "kube-apiserver", notAfter: now.addingTimeInterval(29.5 * 86_400), isCA: false, now: now, clusterFile: "lab.yaml")
        #expect(soon.state == .warning, "\(soon)")
        #expect(soon.detail.contains("in 29 days") && soon.detail.contains("`hardway pki issue -f lab.yaml --renew kube-apiserver`")
                && soon.detail.contains("`hardway apply -f lab.yaml`"), "\(soon.detail)")
        let gone = CertificateExpiry.row(count: 20, first: "admin", notAfter: now.addingTimeInterval(-60), isCA: false, now: now, clusterFile: "lab.yaml")
        #expect(gone.state == .failed && gone.detail.contains("expired on"))
        let ca = CertificateExpiry.row(count: 20, first: "ca", notAfter: now.addingTimeInterval(86_400), isCA: true, now: now, clusterFile: "lab.yaml")
        #expect(ca.state == .warning && ca.detail.contains("--new-ca"))
    }
}

@Suite("check names a stale etcd member")
struct StaleMemberTests {
    @Test("members etcd lists that the file does not, by name or, unstarted, by id")
    func stale() {
        let list = """
        8e9e05c52164694d, started, master-0, https://10.240.0.10:2380, https://10.240.0.10:2379, false
        91bc3c398fb3c146, started, master-1, https://10.240.0.11:2380, https://10.240.0.11:2379, false
        fd422379fda50e48, started, master-9, https://10.240.0.19:2380, https://10.240.0.19:2379, false
        2e80f96756a54ca9, unstarted, , https://10.240.0.13:2380, , false
        {"level":"warn","msg":"noise"}
        """
        let stale = Checker.staleMembers(list, known: ["master-0", "master-1"])
        #expect(stale.map(\.id) == ["fd422379fda50e48", "2e80f96756a54ca9"])
        #expect(stale.first?.name == "master-9" && stale.first?.peerURLs == ["https://10.240.0.19:2380"])
        #expect(Checker.staleMembers(list, known: ["master-0", "master-1", "master-9", ""]).isEmpty)
    }
}

@Suite("etcd's membership follows the file, one member at a time")
struct EtcdMembershipTests {
    func cluster(_ text: String = Fixture.base) throws -> Cluster {
        let resolution = ClusterResolver.resolve(text: text)
        return try #require(resolution.cluster, "\(resolution.diagnostics)")
    }

    /// The record an apply of `cluster` leaves: every host, etcd applied.
    func record(of cluster: Cluster) -> ApplyRecord {
        var record = ApplyRecord()
        record.phases["etcd"] = Date()
        record.hosts = Dictionary(uniqueKeysWithValues: cluster.hosts.map { ($0.name, ApplyRecord.RecordedHost($0, in: cluster)) })
        return record
    }

    @Test("member list lines: started and unstarted (no name yet), their URLs; warnings and logs skipped")
    func memberList() {
        let members = EtcdMemberEntry.parse("""
        8e9e05c52164694d, started, master-0, https://10.240.0.10:2380, https://10.240.0.10:2379, false
        {"level":"warn","ts":"2026-11-29T16:00:00Z","msg":"retrying, of unary invoker failed"}
        2e80f96756a54ca9, unstarted, , https://10.240.0.13:2380, , false
        """)
        #expect(members.map(\.id) == ["8e9e05c52164694d", "2e80f96756a54ca9"])
        #expect(members[0].started && members[0].name == "master-0" && members[0].clientURLs == ["https://10.240.0.10:2379"])
        #expect(!members[1].started && members[1].name.isEmpty && members[1].peerURLs == ["https://10.240.0.13:2380"] && members[1].clientURLs.isEmpty)
        let health = EtcdMembership.healthyEndpoints("""
        https://10.240.0.10:2379 is healthy: successfully committed proposal: took = 9.1ms
        https://10.240.0.11:2379 is unhealthy: failed to commit proposal: context deadline exceeded
        """)
        #expect(health == ["https://10.240.0.10:2379"])
        #expect([1, 2, 3, 4, 5].map(EtcdMembership.quorum) == [1, 2, 2, 3, 3])
    }

    @Test("a controller removed or added is one change; nothing applied, nothing changes; two at once, or a member's new address, are refused with the steps")
    func changes() throws {
        let three = try cluster()
        let record = record(of: three)
        #expect(EtcdMembership.change(cluster: three, record: record).joining.isEmpty)
        #expect(EtcdMembership.change(cluster: three, record: record).leaving.isEmpty)

        let two = try cluster(Fixture.base.replacingOccurrences(of: "  - { name: master-2, address: 10.240.0.12, roles: [controller] }\n", with: ""))
        let leaving = EtcdMembership.change(cluster: two, record: record).leaving
        #expect(leaving.map(\.name) == ["master-2"] && leaving.first?.host.address == "10.240.0.12")
        try EtcdMembership.checkChange(cluster: two, record: record)
        #expect(EtcdMembership.change(cluster: two, record: ApplyRecord()).leaving.isEmpty, "a cluster never applied has no members to lose")

        let added = Fixture.base.replacingOccurrences(of: "  - { name: master-2,", with: "  - { name: master-3, address: 10.240.0.13, roles: [controller] }\n  - { name: master-2,")
        let four = try cluster(added)
        #expect(EtcdMembership.change(cluster: four, record: record).joining.map(\.name) == ["master-3"])
        try EtcdMembership.checkChange(cluster: four, record: record)

        // master-2 out and master-3 in: two changes.
        let swapped = try cluster(added.replacingOccurrences(of: "  - { name: master-2, address: 10.240.0.12, roles: [controller] }\n", with: ""))
        #expect(throws: PhaseError.self) { try EtcdMembership.checkChange(cluster: swapped, record: record) }
        do {
            try EtcdMembership.checkChange(cluster: swapped, record: record)
        } catch let error as PhaseError {
            #expect(error.message.contains("by 2 members at once (adding master-3; removing master-2)"), "\(error)")
            #expect(error.fix.contains("first take master-2 out of the file and apply"), "\(error)")
        }
        let moved = try cluster(Fixture.base.replacingOccurrences(of: "address: 10.240.0.12,", with: "address: 10.240.0.14,"))
        do {
            try EtcdMembership.checkChange(cluster: moved, record: record)
            Issue.record("a member's new address is refused")
        } catch let error as PhaseError {
            #expect(error.host == "master-2" && error.message.contains("https://10.240.0.12:2380") && error.fix.contains("two steps"), "\(error)")
        }
    }
}

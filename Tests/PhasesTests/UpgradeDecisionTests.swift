import Foundation
import Testing
import ClusterModel
import Remote
import Shell
import Phases
import TestSupport

/// An etcd upgrade's decisions on scripted hosts: what plan shows, the order members go in, and
/// what a run cut in the middle does next.
@Suite("upgrades on scripted hosts")
struct UpgradeDecisionTests {
    /// The fixture's etcd (v3.5.17, Kubernetes 1.31's pairing) moved to v3.5.21.
    static let upgraded = Fixture.base.replacingOccurrences(of: "name: test", with: "name: test\netcdVersion: v3.5.21")

    /// The scripted cluster, its record saying only etcd was applied: `check`, which an upgrade
    /// must pass first, then looks at etcd alone, which the scripted hosts answer for.
    static func etcdOnly(_ existing: ScriptedCluster? = nil) throws -> ScriptedCluster {
        let cluster = try existing ?? ScriptedCluster()
        var record = cluster.record
        record.phases = record.phases.filter { [Phase.connect, .preflight, .distribute, .binaries, .etcd].map(\.rawValue).contains($0.key) }
        try record.save(cluster.recordPath)
        return cluster
    }

    /// Applies the upgraded file through etcd. Each run records the network phase as applied too,
    /// whose pod probe the scripted workers do not answer: the record is kept to etcd first.
    static func applyUpgrade(_ cluster: ScriptedCluster) throws -> ApplyReport {
        _ = try etcdOnly(cluster)
        return try cluster.applier(for: upgraded).apply(until: .etcd)
    }

    /// The record says the snapshot was taken when this upgrade began (the lab test takes a real one).
    static func snapshotTaken(_ cluster: ScriptedCluster) throws {
        var record = cluster.record
        record.upgradeSnapshot = ApplyRecord.UpgradeSnapshot(upgrade: "etcd v3.5.17 → v3.5.21", file: "/backups/before.db", taken: Date())
        try record.save(cluster.recordPath)
    }

    static func etcd(_ cluster: ScriptedCluster, _ host: String) -> String {
        cluster.hosts[host]?.file("/usr/local/bin/etcd").map { String(decoding: (try? $0.contents()) ?? Data(), as: UTF8.self) }?
            .split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "none"
    }

    @Test("plan names each member's current and new version and the order, the leader last, and changes nothing")
    func planShowsTheUpgrade() throws {
        let cluster = try Self.etcdOnly()
        cluster.etcd.leader = "master-1"
        let report = try cluster.applier(for: Self.upgraded).apply(until: .etcd, dryRun: true)
        let upgrade = try #require(report.phases.first { $0.phase == "upgrade" })
        let order = upgrade.hosts.first { $0.host == "upgrade" }?.notes ?? []
        #expect(order.count == 2 && order[0].hasPrefix("snapshot etcd to ") && order[0].contains("/backups/test-etcd-v3.5.17-before-upgrade-"), "\(order)")
        #expect(order.last?.contains("the leader (master-1) last") == true, "\(order)")
        #expect(order.last?.hasSuffix("master-0: etcd v3.5.17 → v3.5.21; master-2: etcd v3.5.17 → v3.5.21; master-1: etcd v3.5.17 → v3.5.21") == true, "\(order)")
        #expect(upgrade.hosts.first { $0.host == "master-0" }?.notes == ["upgrade etcd v3.5.17 → v3.5.21"])
        #expect(ScriptedCluster.restarts(report) == ["master-0/etcd", "master-1/etcd", "master-2/etcd"], "the plan shows the restarts")
        #expect(cluster.hosts.values.allSatisfy { $0.uploads.isEmpty }, "a plan uploads nothing")
        #expect(cluster.record.versions == nil && cluster.record.upgradeSnapshot == nil, "nor records anything")
    }

    @Test("a run cut after a member's restart, before it is healthy, upgrades no other member until it is; then the rest, the leader last, and records each")
    func resumedUpgradeWaitsForTheMemberBefore() throws {
        let cluster = try Self.etcdOnly()
        cluster.etcd.leader = "master-0"
        try Self.snapshotTaken(cluster)
        // master-1, the first member to go, does not come back healthy on its new binary.
        let ok = ExecResult(status: 0, stdout: "", stderr: "")
        let etcdState = cluster.etcd
        cluster.hosts["master-1"]!.on({ $0 == "systemctl restart etcd" }) { _, host in
            host.start("etcd")
            etcdState.unhealthy.insert("master-1")
            return ok
        }
        // When master-2 restarts, what the leader runs then.
        let leaderAtMaster2 = LockedBox<String>()
        cluster.hosts["master-2"]!.on({ $0 == "systemctl restart etcd" }) { _, host in
            host.start("etcd")
            leaderAtMaster2.value = Self.etcd(cluster, "master-0")
            return ok
        }

        #expect(throws: PhaseError.self) { try Self.applyUpgrade(cluster) }
        #expect(["master-0", "master-1", "master-2"].map { Self.etcd(cluster, $0) } == ["v3.5.17", "v3.5.21", "v3.5.17"], "only the first member was upgraded")
        #expect(cluster.record.versions?["master-1"]?["etcd"] == nil, "a member not healthy is not recorded as upgraded")

        // Cut again while master-1 is still unhealthy: no other member is touched.
        let marks = cluster.mark()
        #expect(throws: PhaseError.self) { try Self.applyUpgrade(cluster) }
        for member in ["master-0", "master-2"] {
            let ran = cluster.commands(since: marks)[member] ?? []
            #expect(!ran.contains("systemctl restart etcd") && cluster.hosts[member]!.uploads.isEmpty, "\(member): \(ran)")
        }

        // Healthy again: the run goes on with master-2, then the leader, and records each.
        etcdState.unhealthy = []
        let report = try Self.applyUpgrade(cluster)
        #expect(ScriptedCluster.restarts(report) == ["master-0/etcd", "master-2/etcd"], "master-1 is not restarted again")
        #expect(leaderAtMaster2.value == "v3.5.17", "the leader goes last: it still ran v3.5.17 when master-2 restarted")
        #expect(["master-0", "master-1", "master-2"].map { Self.etcd(cluster, $0) } == ["v3.5.21", "v3.5.21", "v3.5.21"])
        #expect(["master-0", "master-1", "master-2"].map { cluster.record.versions?[$0]?["etcd"] } == ["v3.5.21", "v3.5.21", "v3.5.21"])
        #expect(cluster.record.pendingRestarts == nil)
        // Done: the next run has nothing to upgrade.
        let again = try Self.applyUpgrade(cluster)
        #expect(ScriptedCluster.restarts(again).isEmpty && ScriptedCluster.written(again).isEmpty)
    }
}

extension UpgradeDecisionTests {
    @Test("a changed file the upgraded unit reads (a release's new flags) waits with the binary for each member's turn: one upload, a reload, then the restart")
    func filesOfUpgradedUnitsWaitForTheirTurn() throws {
        let cluster = try Self.etcdOnly()
        cluster.etcd.leader = "master-2"
        try Self.snapshotTaken(cluster)
        let unit = "/etc/systemd/system/etcd.service"
        let members = ["master-0", "master-1", "master-2"]
        var rendered: [String: Data] = [:]
        for member in members {
            let host = cluster.hosts[member]!
            let file = try #require(host.file(unit))
            rendered[member] = try file.contents()
            host.put(RemoteFile(path: unit, mode: file.mode, owner: file.owner, contents: Data("# the unit an older release rendered\n".utf8)))
        }
        let report = try Self.applyUpgrade(cluster)
        let distribute = try #require(report.phases.first { $0.phase == "distribute" })
        for member in members {
            let step = distribute.hosts.first { $0.host == member }
            #expect(step?.written.contains(unit) != true, "\(member): distribute does not write it: \(String(describing: step))")
            #expect(step?.notes.contains { $0.hasPrefix("held for its turn in the upgrade") && $0.contains(unit) } == true, "\(String(describing: step))")
            let host = cluster.hosts[member]!
            let uploads = host.uploads.map(\.path)
            let (file, binary) = (uploads.lastIndex(of: unit), uploads.lastIndex(of: "/usr/local/bin/etcd"))
            #expect(file != nil && binary != nil && abs(file! - binary!) <= 2, "\(member): the unit goes up with the binary: \(uploads)")
            #expect(try host.file(unit)?.contents() == rendered[member])
            let commands = host.commands
            let (reload, restart) = (commands.lastIndex(of: "systemctl daemon-reload"), commands.lastIndex(of: "systemctl restart etcd"))
            #expect(reload != nil && restart != nil && reload! < restart!, "\(member): systemd reads the new unit before the restart: \(commands)")
        }
        #expect(ScriptedCluster.restarts(report) == ["master-0/etcd", "master-1/etcd", "master-2/etcd"])
        #expect(members.map { Self.etcd(cluster, $0) } == ["v3.5.21", "v3.5.21", "v3.5.21"])
    }

    @Test("a cluster `check` finds unhealthy (here: the load balancer does not run) is refused before any host is changed, naming what failed")
    func unhealthyClusterIsRefused() throws {
        let cluster = try ScriptedCluster()
        let before = cluster.record
        let error = try #require(throws: PhaseError.self) { try cluster.applier(for: Self.upgraded).apply(until: .etcd) }
        #expect(error.code == .upgradeRefused && error.phase == .upgrade, "\(error)")
        #expect(error.message.contains("not healthy, so no upgrade starts") && error.message.contains("load balancer lb-0"), "\(error.message)")
        #expect(cluster.hosts.values.allSatisfy { $0.uploads.isEmpty }, "nothing was written")
        #expect(!cluster.commands().values.joined().contains { $0.hasPrefix("systemctl restart") }, "nothing restarted")
        #expect(cluster.record.upgradeSnapshot == nil && cluster.record.versions == before.versions)
    }
}

/// A value set on one thread and read on another.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?
    var value: Value? { get { lock.withLock { stored } } set { lock.withLock { stored = newValue } } }
}

extension UpgradeDecisionTests {
    @Test("Kubernetes 1.33 → 1.34 with etcd and containerd: snapshot, etcd, controllers one at a time out of the load balancer, workers N at a time — each host's versions named")
    func kubernetesMinorUpgradeIsPlannedInOrder() throws {
        let text = Fixture.base.replacingOccurrences(of: "name: test", with: "name: test\nkubernetesVersion: v1.34.1\netcdVersion: v3.6.4\ncontainerdVersion: v2.1.3")
        let cluster = try #require(ClusterResolver.resolve(text: text).cluster)
        var running: [String: [String: String]] = [:]
        for machine in cluster.hosts {
            for component in UpgradeRules.components(of: machine, in: cluster) {
                running[machine.name, default: [:]][component] = ["etcd": "v3.5.21", "containerd": "v2.1.0", "runc": "v1.3.0", "cni-plugins": "v1.7.1"][component] ?? "v1.33.5"
            }
        }
        let targets = UpgradeRules.targets(cluster)
        #expect(UpgradeRules.refusals(current: running, targets: targets).isEmpty)
        let plan = UpgradePlan(changes: UpgradeRules.changes(current: running, targets: targets))
        let steps = plan.steps(cluster: cluster, snapshot: "/c/backups/x.db", etcdLeader: "master-0", maxUnavailable: 2, drainTimeout: 120)
        #expect(steps.count == 4, "\(steps)")
        #expect(steps[1].hasPrefix("etcd, one member at a time, the leader (master-0) last") && steps[1].hasSuffix("master-0: etcd v3.5.21 → v3.6.4"), "\(steps[1])")
        #expect(steps[2].hasPrefix("controllers, one at a time, each out of the load balancer"), "\(steps[2])")
        #expect(steps[2].contains("master-1: kube-apiserver v1.33.5 → v1.34.1, kube-controller-manager v1.33.5 → v1.34.1, kube-scheduler v1.33.5 → v1.34.1"), "\(steps[2])")
        #expect(steps[3].hasPrefix("workers, 2 at a time: cordon, drain (timeout 120 s)"), "\(steps[3])")
        #expect(steps[3].contains("worker-0: containerd v2.1.0 → v2.1.3, kubelet v1.33.5 → v1.34.1, kube-proxy v1.33.5 → v1.34.1"), "\(steps[3])")
        #expect(plan.summary == "etcd v3.5.21 → v3.6.4, kube-apiserver v1.33.5 → v1.34.1, kube-controller-manager v1.33.5 → v1.34.1, kube-scheduler v1.33.5 → v1.34.1, containerd v2.1.0 → v2.1.3, kubelet v1.33.5 → v1.34.1, kube-proxy v1.33.5 → v1.34.1")
        // The binaries each phase holds back: the control plane's with its kubectl, the workers' with the CNI plugins.
        #expect(UpgradePlan.component(ofBinary: "kubectl", destination: "/usr/local/bin/kubectl") == "kube-apiserver")
        #expect(UpgradePlan.component(ofBinary: "bridge", destination: "/opt/cni/bin/bridge") == "cni-plugins")
        #expect(UpgradePlan.component(ofBinary: "containerd-shim-runc-v2", destination: "/usr/local/bin/containerd-shim-runc-v2") == "containerd")
    }
}

import Foundation
import ClusterModel

/// The upgrade a cluster file asks for: each component on each host whose version the file changes,
/// from the versions apply recorded (or the processes said), and the order apply carries them out
/// in — an etcd snapshot, etcd members one at a time with the leader last, controllers one at a
/// time, workers `maxUnavailable` at a time (cordoned, drained, upgraded, Ready, uncordoned).
public struct UpgradePlan: Sendable, Equatable {
    public var changes: [UpgradeRules.Change]

    public init(changes: [UpgradeRules.Change] = []) { self.changes = changes }

    public var isEmpty: Bool { changes.isEmpty }

    /// The components each rolling phase upgrades.
    public static let components: [Phase: Set<String>] = [
        .etcd: ["etcd"],
        .controlPlane: ["kube-apiserver", "kube-controller-manager", "kube-scheduler"],
        .workers: ["containerd", "runc", "cni-plugins", "kubelet", "kube-proxy"],
    ]

    /// The component a binary belongs to, for the upgrade (nil: none it rolls).
    public static func component(ofBinary need: String, destination: String) -> String? {
        if destination.hasPrefix("/opt/cni/bin/") { return "cni-plugins" }
        switch need {
        case "etcd", "etcdctl": return "etcd"
        case "kube-apiserver", "kubectl": return "kube-apiserver"
        case "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "runc": return need
        case "containerd", "containerd-shim-runc-v2", "ctr": return "containerd"
        default: return nil
        }
    }

    public func changes(on host: String) -> [UpgradeRules.Change] { changes.filter { $0.host == host } }

    public func change(_ host: String, _ component: String) -> UpgradeRules.Change? {
        changes.first { $0.host == host && $0.component == component }
    }

    /// Whether `host` has something of `phase`'s to upgrade.
    func upgrades(_ host: String, in phase: Phase) -> Bool {
        let owned = Self.components[phase] ?? []
        return changes.contains { $0.host == host && owned.contains($0.component) }
    }

    /// `etcd v3.4.23 → v3.5.16, containerd v1.6.20 → v1.7.24`: the upgrade, one entry per component
    /// and version pair (what a resumed run recognizes as the same upgrade).
    public var summary: String {
        var seen: [String] = []
        for change in changes {
            let text = "\(change.component) \(change.from) → \(change.to)"
            if !seen.contains(text) { seen.append(text) }
        }
        return seen.joined(separator: ", ")
    }

    /// The steps, in order, as `plan` shows them.
    public func steps(cluster: Cluster, snapshot: String, etcdLeader: String?, maxUnavailable: Int, drainTimeout: Int) -> [String] {
        guard !isEmpty else { return [] }
        var steps = ["snapshot etcd to \(snapshot) (kept; `hardway etcd snapshot restore` takes it back)"]
        let describe = { (machines: [Machine], phase: Phase) -> [String] in
            machines.compactMap { machine in
                let owned = Self.components[phase] ?? []
                let mine = self.changes(on: machine.name).filter { owned.contains($0.component) }
                guard !mine.isEmpty else { return nil }
                return "\(machine.name): " + mine.map { "\($0.component) \($0.from) → \($0.to)" }.joined(separator: ", ")
            }
        }
        var members = cluster.etcdMembers
        if let leader = etcdLeader, let index = members.firstIndex(where: { $0.name == leader }) { members.append(members.remove(at: index)) }
        let etcd = describe(members, .etcd)
        if !etcd.isEmpty {
            steps.append("etcd, one member at a time\(etcdLeader.map { ", the leader (\($0)) last" } ?? ", the leader last"); after each: every member healthy, a quorum read, the member's version: "
                         + etcd.joined(separator: "; "))
        }
        let controllers = describe(cluster.controllers, .controlPlane)
        if !controllers.isEmpty {
            steps.append("controllers, one at a time, each out of the load balancer while it restarts and back once /readyz answers: " + controllers.joined(separator: "; "))
        }
        let workers = describe(cluster.workers, .workers)
        if !workers.isEmpty {
            steps.append("workers, \(maxUnavailable) at a time: cordon, drain (timeout \(drainTimeout) s), new binaries, restart, Ready, uncordon; never a kubelet newer than an API server: "
                         + workers.joined(separator: "; "))
        }
        return steps
    }
}

import Foundation
import ClusterModel
import Remote
import Shell

/// Restore, in steps that each check before they change anything, and a way back: every member is
/// reached and has room first; the snapshot must read as one, and every secret in it must be
/// readable with the key ring the API servers will run; only then does anything stop. A member
/// whose restore fails, or an etcd that does not come up healthy, puts every member back on its
/// previous data and starts it again.
extension EtcdSnapshot {
    /// The keys the API servers can read after the restore (the key ring's), and where each retired
    /// key is kept (`<dir>/secrets/retired/…`), to name in a refusal.
    public struct Keys: Sendable {
        public var readable: Set<StoredKey>
        public var retired: [StoredKey: String]

        public init(readable: Set<StoredKey>, retired: [StoredKey: String] = [:]) {
            self.readable = readable
            self.retired = retired
        }
    }

    public func restore(from file: String, keys: Keys) throws -> RestoreReport {
        let started = Date()
        guard FileManager.default.isReadableFile(atPath: file),
              let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber else {
            throw PhaseError(.snapshot, .etcd, "cannot read \(file)", fix: "give the path of a snapshot `hardway etcd snapshot save` wrote")
        }
        let stamp = Self.stamp(started)
        let remoteFile = "\(Self.workDirectory)/restore-\(stamp).db"
        let members = cluster.etcdMembers
        let removeCopies = { try? self.each(members) { member in _ = try self.host(member).run("rm -f \(shellQuote(remoteFile))") } }

        // 1. Every member answers and has room for the copy and the data made from it.
        try requireRoom(for: size.int64Value, on: members)
        // 2. Every member gets the file, and it must read as a snapshot before anything stops.
        progress("  copying \(file) (\(size) bytes) to \(members.map(\.name).joined(separator: ", "))")
        try each(members) { member in
            try host(member).check("mkdir -p -m 0700 \(Self.workDirectory)", step: "mkdir \(Self.workDirectory)")
            try host(member).upload([RemoteFile(path: remoteFile, mode: 0o600, localFile: file)])
        }
        let status: SnapshotStatus
        do {
            status = try checkedStatus(on: host(members[0]), file: remoteFile, name: file)
            progress("  \(file): revision \(status.revision), \(status.totalKey) keys")
            // 3. Every secret in it is readable with the keys the API servers will have.
            try requireReadable(remoteFile, on: members[0], file: file, keys: keys)
        } catch {
            removeCopies()
            throw error
        }

        // 4. The control plane stops first: nothing writes while etcd's data is replaced.
        let controlPlane = "kube-apiserver kube-controller-manager kube-scheduler"
        progress("  stopping \(controlPlane) on \(cluster.controllers.map(\.name).joined(separator: ", "))")
        try each(cluster.controllers) { try host($0).check("systemctl stop \(controlPlane)", step: "stopping the control plane") }
        progress("  stopping etcd on every member")
        let kept = "/var/lib/etcd.before-restore-\(stamp)"
        do {
            try each(members) { try host($0).check("systemctl stop etcd", step: "stopping etcd") }
            // 5. Each member's new data directory from the snapshot; the old one kept aside.
            try each(members) { member in
                try host(member).check(restoreScript(member, from: remoteFile, keepingOldIn: kept), step: "etcdctl snapshot restore", timeout: 900)
                progress("  \(member.name): data restored; the previous data is in \(kept)")
            }
            // 6. etcd together (the members wait for each other), gated.
            try each(members) { try host($0).check("systemctl start --no-block etcd", step: "starting etcd") }
            try wait(for: "every etcd member healthy", fix: "look at `journalctl -u etcd -n 30` on each member") {
                let health = try host(members[0]).run("\(NodeCommands.etcdctl(members: cluster)) endpoint health 2>&1")
                let healthy = health.stdout.split(separator: "\n").filter { $0.contains("is healthy") }.count
                return healthy == members.count ? nil : "\(healthy)/\(members.count) healthy: \(health.tail)"
            }
        } catch {
            removeCopies()
            throw rollBack(after: error, kept: kept, stamp: stamp, controlPlane: controlPlane)
        }
        progress("  etcd: \(members.count)/\(members.count) members healthy from the snapshot")
        // 7. The control plane again, its leaders, and the nodes' components listing afresh.
        try startControlPlane(controlPlane)
        return RestoreReport(file: file, status: status, keptAside: Dictionary(uniqueKeysWithValues: members.map { ($0.name, kept) }),
                             seconds: Date().timeIntervalSince(started))
    }

    /// Each member answers and has at least twice the snapshot's size free under /var/lib.
    func requireRoom(for size: Int64, on members: [Machine]) throws {
        let free = try onHosts(members) { member -> Int64 in
            let answer = try self.host(member).check("df -P -k /var/lib | tail -n 1", step: "reading the free space under /var/lib").stdout
            let fields = answer.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 4, let kilobytes = Int64(fields[3]) else {
                throw PhaseError(.snapshot, .etcd, host: member.name, "cannot read the free space under /var/lib (df said \(answer.debugDescription))",
                                 fix: "check `df -P /var/lib` on \(member.name)")
            }
            return kilobytes * 1024
        }
        for (member, bytes) in zip(members, free) where bytes < 2 * size {
            throw PhaseError(.snapshot, .etcd, host: member.name,
                             "/var/lib has \(bytes / 1_048_576) MiB free, less than twice the snapshot's \(size / 1_048_576) MiB (its copy and the data made from it)",
                             fix: "free space on \(member.name), then restore again; nothing was changed")
        }
    }

    /// Refuses, before anything stops, a snapshot holding secrets under a key the ring lacks.
    func requireReadable(_ remoteFile: String, on member: Machine, file: String, keys: Keys) throws {
        progress("  reading which keys the snapshot's secrets were written with")
        let census = try SnapshotKeys.census(of: remoteFile, on: host(member))
        let unreadable = Set(census.entries.map(\.key)).subtracting(keys.readable).subtracting([.plain]).sorted()
        guard let missing = unreadable.first else { return }
        let count = census.entries.filter { unreadable.contains($0.key) }.count
        let retired = unreadable.compactMap { key in keys.retired[key].map { "\(key) is kept in \($0)" } }
        let name: String = { if case .encrypted(_, let name) = missing { return name } else { return "\(missing)" } }()
        throw PhaseError(.snapshot, .etcd, "\(count) secrets in \(file) are stored under \(unreadable.map(\.description).joined(separator: ", ")), which the key ring no longer holds: the API servers could not read them after the restore",
                         fix: retired.isEmpty
                            ? "put the key back in the ring from a backup of the cluster directory's secrets/, render and apply, then restore again; nothing was changed"
                            : "\(retired.joined(separator: "; ")): run `hardway encryption restore-key -f <cluster file> \(name)`, render and apply, then restore again; nothing was changed")
    }

    /// A member's new data directory from the snapshot, the old one moved aside (never deleted).
    func restoreScript(_ member: Machine, from remoteFile: String, keepingOldIn kept: String) -> String {
        """
        set -e
        rm -rf /var/lib/etcd.restoring
        \(Self.etcdctl) snapshot restore \(shellQuote(remoteFile)) --name \(shellQuote(member.name)) \
          --initial-cluster \(shellQuote(cluster.etcdInitialCluster)) --initial-cluster-token \(shellQuote("\(cluster.name)-etcd")) \
          --initial-advertise-peer-urls \(shellQuote(EtcdURL.peer(member.address.description))) --data-dir /var/lib/etcd.restoring >/dev/null
        if [ -e /var/lib/etcd ]; then mv /var/lib/etcd \(kept); fi
        mv /var/lib/etcd.restoring /var/lib/etcd
        chmod 700 /var/lib/etcd
        rm -f \(shellQuote(remoteFile))
        """
    }

    /// After a failure once members stopped: every member back on the data it had (the restored
    /// one kept aside too), etcd and the control plane started. The error says what failed, and
    /// where each kind of data is.
    func rollBack(after error: Error, kept: String, stamp: String, controlPlane: String) -> Error {
        let failed = "/var/lib/etcd.failed-restore-\(stamp)"
        progress("  the restore failed (\(error)); putting every member back on its previous data")
        let script = """
        systemctl stop etcd 2>/dev/null
        rm -rf /var/lib/etcd.restoring
        if [ -d \(kept) ]; then
          if [ -e /var/lib/etcd ]; then mv /var/lib/etcd \(failed); fi
          mv \(kept) /var/lib/etcd
        fi
        systemctl start --no-block etcd
        """
        let back = parallel(cluster.etcdMembers, limit: live.parallelism) { member in (try? self.host(member).run(script))?.succeeded == true }
        let notBack = zip(cluster.etcdMembers, back).filter { !$0.1 }.map(\.0.name)
        _ = parallel(cluster.controllers, limit: live.parallelism) { controller in try? self.host(controller).run("systemctl start \(controlPlane)") }
        let reason = (error as? PhaseError).map { $0.message } ?? "\(error)"
        return PhaseError(.snapshot, .etcd, "the restore failed (\(reason)); every member was put back on its previous data and started" +
                          (notBack.isEmpty ? "" : ", except \(notBack.joined(separator: ", ")), which did not answer: its previous data is in \(kept) there"),
                          fix: "the restored data, where a member got that far, is in \(failed); see `hardway check -f <cluster file>`")
    }

    /// The control plane started and live, its leaders elected, kubelets and kube-proxies restarted
    /// and every node Ready again.
    func startControlPlane(_ controlPlane: String) throws {
        try each(cluster.controllers) { try host($0).check("systemctl start \(controlPlane)", step: "starting the control plane") }
        for controller in cluster.controllers {
            try wait(for: "kube-apiserver on \(controller.name)", fix: "look at `journalctl -u kube-apiserver -n 40` on \(controller.name)") {
                let livez = try host(controller).run("\(NodeCommands.kubectl) get --raw /livez 2>&1")
                return livez.succeeded && livez.stdout.hasPrefix("ok") ? nil : "/livez: \(livez.tail)"
            }
            progress("  \(controller.name): kube-apiserver /livez ok")
        }
        // The leases came back as they were at the snapshot, held by processes that are gone: the
        // restarted controller managers and schedulers take them over once they expire.
        if let first = cluster.controllers.first {
            for lease in ["kube-controller-manager", "kube-scheduler"] {
                try wait(for: "a \(lease) leader", fix: "look at `journalctl -u \(lease) -n 40` on the controllers") {
                    let json = try host(first).run("\(NodeCommands.kubectl) -n kube-system get lease \(lease) -o json").stdout
                    return KubernetesReadings.leaderProblem(json, lease: lease, now: Date())
                }
            }
            progress("  kube-controller-manager and kube-scheduler leaders elected")
        }
        // The kubelets and kube-proxies watched revisions the restored etcd has not reached: restarted,
        // they list again from what is there now, as Kubernetes' restore guide advises.
        let restarted = Date()
        let started = try kubeletStarts(cluster.workers, after: "systemctl try-restart kubelet kube-proxy")
        guard let first = cluster.controllers.first, !cluster.workers.isEmpty else { return }
        progress("  kubelet and kube-proxy restarted on \(cluster.workers.map(\.name).joined(separator: ", "))")
        // A restarted kubelet says NotReady until it has registered again: the restore is done when
        // every node is Ready with a status reported since its restart (by the node's clock).
        try wait(for: "every node Ready", fix: "look at `journalctl -u kubelet -n 40` on the workers that are not Ready") {
            let nodes = KubernetesReadings.nodes(try host(first).run("\(NodeCommands.kubectl) get nodes -o json").stdout)
            let waiting = KubernetesReadings.notReady(nodes, cluster.workers.map(\.name), after: { started[$0] }) { _ in restarted }
            return waiting.isEmpty ? nil : "not Ready yet: " + waiting.joined(separator: ", ")
        }
        progress("  every node Ready again")
    }
}

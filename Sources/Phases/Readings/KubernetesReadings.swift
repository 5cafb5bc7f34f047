import Foundation
import ClusterModel
import Render
import Remote
import Shell

/// What the phases after the load balancer read back from the API server and etcd: pure parsing,
/// so it is tested without the Kubernetes binaries this box cannot have.
public enum KubernetesReadings {
    public struct Node: Sendable, Equatable {
        public var ready: Bool
        /// When the kubelet last reported the Ready condition.
        public var heartbeat: Date?
        /// Why not Ready (the Ready condition's message), empty when Ready.
        public var reason: String
        public var kubeletVersion: String
        public var runtime: String
    }

    /// Node name → readiness, versions and runtime, from `kubectl get nodes -o json`.
    public static func nodes(_ json: String) -> [String: Node] {
        guard let list = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [:] }
        var result: [String: Node] = [:]
        for item in list["items"] as? [[String: Any]] ?? [] {
            guard let name = (item["metadata"] as? [String: Any])?["name"] as? String else { continue }
            let status = item["status"] as? [String: Any] ?? [:]
            let ready = (status["conditions"] as? [[String: Any]] ?? []).first { $0["type"] as? String == "Ready" }
            let info = status["nodeInfo"] as? [String: Any] ?? [:]
            let heartbeat = (ready?["lastHeartbeatTime"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }
            result[name] = Node(ready: ready?["status"] as? String == "True", heartbeat: heartbeat, reason: ready?["message"] as? String ?? "no Ready condition yet",
                                kubeletVersion: info["kubeletVersion"] as? String ?? "?", runtime: info["containerRuntimeVersion"] as? String ?? "?")
        }
        return result
    }

    /// Of `names`, each one whose node is not Ready, or has not reported since the time `since`
    /// gives for it (nil: any report will do; 5 s allowed for clocks apart), with why: `name (reason)`.
    /// `after` gives, where known, a time by the node's own clock (its kubelet's start): a report
    /// must be from that second or later, with no allowance (the old kubelet's last report is not).
    public static func notReady(_ nodes: [String: Node], _ names: [String], after: (String) -> Date? = { _ in nil }, since: (String) -> Date?) -> [String] {
        names.filter { name in
            guard let node = nodes[name], node.ready else { return true }
            if let after = after(name) { return node.heartbeat.map { $0 < after } ?? true }
            guard let since = since(name) else { return false }
            return node.heartbeat.map { $0 < since.addingTimeInterval(-5) } ?? true
        }.sorted().map { "\($0) (\(nodes[$0]?.reason ?? "not registered"))" }
    }

    public struct Lease: Sendable, Equatable {
        public var holder: String
        public var duration: Int
        public var secondsSinceRenewal: Double
    }

    /// Why `lease` (kube-controller-manager, kube-scheduler) has no live leader, from `kubectl get
    /// lease -o json`: nobody renewed it within its duration. nil when somebody did.
    public static func leaderProblem(_ json: String, lease name: String, now: Date) -> String? {
        guard let leader = lease(json, now: now) else { return "no \(name) leader elected yet" }
        return leader.secondsSinceRenewal <= Double(leader.duration) ? nil
            : "the \(name) lease was last renewed \(Int(leader.secondsSinceRenewal)) s ago by \(leader.holder) (lease \(leader.duration) s): no leader yet"
    }

    /// Who holds a leader-election Lease and how long ago it renewed (`kubectl get lease -o json`).
    public static func lease(_ json: String, now: Date) -> Lease? {
        guard let lease = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let spec = lease["spec"] as? [String: Any], let holder = spec["holderIdentity"] as? String, !holder.isEmpty else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let renewed = (spec["renewTime"] as? String).flatMap { formatter.date(from: $0) ?? ISO8601DateFormatter().date(from: $0) }
        return Lease(holder: holder, duration: spec["leaseDurationSeconds"] as? Int ?? 15,
                     secondsSinceRenewal: renewed.map { max(0, now.timeIntervalSince($0)) } ?? .infinity)
    }

    /// A pod's container that waits on an image pull that failed: `ErrImagePull: …` from
    /// `kubectl get pods -o json`, or nil.
    public static func imagePullFailure(_ json: String) -> String? {
        guard let list = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        for pod in list["items"] as? [[String: Any]] ?? [] {
            let status = pod["status"] as? [String: Any] ?? [:]
            for container in status["containerStatuses"] as? [[String: Any]] ?? [] {
                let waiting = (container["state"] as? [String: Any])?["waiting"] as? [String: Any]
                if let reason = waiting?["reason"] as? String, ["ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull"].contains(reason) {
                    return reason + ((waiting?["message"] as? String).map { ": \($0.prefix(160))" } ?? "")
                }
            }
        }
        return nil
    }

    /// Every replica of a Deployment updated and available (`kubectl get deployment -o json`).
    public static func rolledOut(_ json: String) -> Bool {
        guard let deployment = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let spec = deployment["spec"] as? [String: Any], let status = deployment["status"] as? [String: Any] else { return false }
        let wanted = spec["replicas"] as? Int ?? 1
        return (status["updatedReplicas"] as? Int ?? 0) >= wanted && (status["availableReplicas"] as? Int ?? 0) >= wanted
    }

    /// The prefix the API server writes before a secret it encrypted with `provider`.
    public static func encryptionPrefix(_ provider: EncryptionProvider) -> String { "k8s:enc:\(provider.rawValue):v1:" }

    /// Whether the raw value etcd holds for a secret is encrypted with `provider` (and not plain
    /// protobuf, which starts with `k8s\0`).
    public static func isEncrypted(raw: String, provider: EncryptionProvider) -> Bool {
        raw.hasPrefix(encryptionPrefix(provider))
    }
}

extension KubernetesReadings {
    static let kubectl = NodeCommands.kubectl

    /// Creates a secret, reads its raw value from etcd, deletes it; nil when it was encrypted.
    static func encryptionProblem(cluster: Cluster, apiHost: any RemoteHost, etcdHost: any RemoteHost, secret: String) throws -> String? {
        let delete = "\(kubectl) -n default delete secret \(secret) --ignore-not-found >/dev/null"
        let create = "\(kubectl) -n default create secret generic \(secret) --from-literal=probe=hardway >/dev/null"
        // The value is binary after its prefix: its first bytes cross ssh as base64.
        let read = "\(NodeCommands.etcdctl()) get /registry/secrets/default/\(secret) --print-value-only | head -c 64 | base64 -w0"
        let encoded: String
        if apiHost.name == etcdHost.name {
            // A stacked member: one round trip (exit 3: the secret was not created).
            let result = try apiHost.run("\(delete) 2>&1; \(create) || exit 3; \(read); s=$?; \(delete) 2>&1; exit $s")
            guard result.status != 3 else { throw RemoteError(host: apiHost.name, step: "creating a test secret", result: result) }
            guard result.succeeded else { throw RemoteError(host: apiHost.name, step: "reading the secret from etcd", result: result) }
            encoded = result.stdout
        } else {
            try apiHost.check("\(delete) 2>&1; \(create)", step: "creating a test secret")
            defer { _ = try? apiHost.run(delete) }
            encoded = try etcdHost.check(read, step: "reading the secret from etcd").stdout
        }
        let raw = Data(base64Encoded: encoded.trimmingCharacters(in: .whitespacesAndNewlines)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return KubernetesReadings.isEncrypted(raw: raw, provider: cluster.encryption.provider)
            ? nil : "the secret is stored as \(raw.prefix(12).debugDescription) in etcd, not with \(KubernetesReadings.encryptionPrefix(cluster.encryption.provider))"
    }
}

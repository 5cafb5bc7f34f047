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

    public struct Lease: Sendable, Equatable {
        public var holder: String
        public var duration: Int
        public var secondsSinceRenewal: Double
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

extension Applier {
    static let kubectl = NodeCommands.kubectl

    var firstController: Machine? { cluster.controllers.first }

    /// The API servers, controller managers and schedulers; gate: /livez on every controller, then
    /// through the endpoint with the admin certificate, the API server's name verified.
    func controlPlane() throws -> [HostStep] {
        func live(_ controller: Machine) throws {
            try gate(.controlPlane, host: controller.name, fix: "look at `journalctl -u kube-apiserver -n 40` on \(controller.name)") {
                let livez = try host(controller).run("\(Self.kubectl) get --raw /livez 2>&1")
                return livez.succeeded && livez.stdout.hasPrefix("ok") ? nil : "/livez on 127.0.0.1:6443: \(livez.tail)"
            }
            progress("  \(controller.name): kube-apiserver /livez ok")
        }
        let steps: [HostStep]
        if try running("kube-apiserver", on: cluster.controllers) > 0 {
            // A serving control plane: one controller at a time, each live before the next, so the
            // endpoint always has API servers behind it.
            steps = try cluster.controllers.map { controller in
                let step = try startUnits(.controlPlane, on: controller)
                try live(controller)
                return step
            }
        } else {
            steps = try onHosts(cluster.controllers) { try self.startUnits(.controlPlane, on: $0) }
            for controller in cluster.controllers { try live(controller) }
        }
        if let url = cluster.api.url, let first = firstController {
            try gate(.controlPlane, host: first.name, fix: "check the load balancer (`hardway check`) and that \(url) is in the API server certificate") {
                let livez = try host(first).run("\(Self.kubectl) --server \(url) get --raw /livez 2>&1")
                return livez.succeeded && livez.stdout.hasPrefix("ok") ? nil : "/livez through \(url): \(livez.tail)"
            }
            progress("  /livez through \(url) ok, certificate name verified")
        }
        return steps
    }

    /// The API server's access to the kubelets (kubectl exec, logs).
    func rbac() throws -> [HostStep] {
        guard let first = firstController else { return [] }
        try host(first).check("\(Self.kubectl) apply -f /etc/kubernetes/addons/kubelet-rbac.yaml", step: "kubectl apply kubelet-rbac.yaml")
        return [HostStep(host: first.name, notes: ["kubelet RBAC applied"])]
    }

    /// containerd, kubelet and kube-proxy on every worker; gate: every worker a Ready node.
    func workers() throws -> [HostStep] {
        let phaseStarted = Date()
        let steps = try onHosts(cluster.workers) { machine in
            // Only the rendered settings: `sysctl --system` would also apply the distribution's own, some of
            // which a container may not set.
            try self.host(machine).check("modprobe -a overlay br_netfilter 2>/dev/null; sysctl -q -p /etc/sysctl.d/90-kubernetes.conf", step: "loading modules and sysctls")
            var step = try self.startUnits(.workers, on: machine)
            step.notes += try self.importImages(on: machine)
            return step
        }
        guard let first = firstController else { return steps }
        let names = Set(cluster.workers.map(\.name))
        // A kubelet started in this run must have reported since: an old Node object of a rebuilt
        // machine can still say Ready while its new kubelet fails.
        let restarted = Set(steps.filter { $0.restarted.contains("kubelet") }.map(\.host))
        try gate(.workers, host: first.name, timeout: max(gateTimeout, 180), fix: "look at `journalctl -u kubelet -n 40` on the workers that are not Ready") {
            let nodes = KubernetesReadings.nodes(try host(first).run("\(Self.kubectl) get nodes -o json").stdout)
            let notReady = names.filter { name in
                guard let node = nodes[name], node.ready else { return true }
                return restarted.contains(name) && (node.heartbeat.map { $0 < phaseStarted.addingTimeInterval(-5) } ?? true)
            }.sorted()
            return notReady.isEmpty ? nil : "not Ready: " + notReady.map { "\($0) (\(nodes[$0]?.reason ?? "not registered"))" }.joined(separator: ", ")
        }
        // Ready is the kubelet's word; containerd and kube-proxy must run too, and not in a restart loop.
        _ = try onHosts(cluster.workers) { machine in
            let units = "containerd kubelet kube-proxy"
            let show = "systemctl show -p Id,ActiveState,NRestarts \(units)"
            let before = try self.host(machine).check(show, step: "reading the worker units' state").stdout
            sleep(3)
            let after = try self.host(machine).check(show, step: "reading the worker units' state").stdout
            let states = Self.unitStates(after)
            let unsteady = states.filter { $0.value.active != "active" || Self.unitStates(before)[$0.key]?.restarts != $0.value.restarts }.keys.sorted()
            guard unsteady.isEmpty else {
                throw PhaseError(.workers, host: machine.name, "\(unsteady.joined(separator: ", ")) not running steadily (\(unsteady.map { "\($0): \(states[$0]!.active), \(states[$0]!.restarts) restarts" }.joined(separator: "; ")))",
                                 fix: "look at `journalctl -u \(unsteady[0]) -n 40` on \(machine.name)")
            }
            return HostStep(host: machine.name)
        }
        progress("  \(names.count) workers Ready; containerd, kubelet and kube-proxy running on each")
        return steps
    }

    /// `systemctl show -p Id,ActiveState,NRestarts …` → unit → (state, restarts).
    static func unitStates(_ text: String) -> [String: (active: String, restarts: String)] {
        var result: [String: (String, String)] = [:]
        for block in text.components(separatedBy: "\n\n") {
            let values = keyValues(block)
            guard let id = values["Id"] else { continue }
            result[id.replacingOccurrences(of: ".service", with: "")] = (values["ActiveState"] ?? "?", values["NRestarts"] ?? "?")
        }
        return result
    }

    /// The archives of the binaries directory's images/ in the worker's containerd: those whose file
    /// changed, and any whose images containerd does not list (a new containerd, a wiped root).
    func importImages(on machine: Machine) throws -> [String] {
        let archives = imageArchives
        guard !archives.isEmpty else { return [] }
        let remote = host(machine)
        try gate(.workers, host: machine.name, timeout: 30, every: 0.5, fix: "look at `journalctl -u containerd -n 30` on \(machine.name)") {
            let version = try remote.run("\(ImageArchive.ctr) version 2>&1")
            return version.succeeded ? nil : "containerd does not answer on /run/containerd/containerd.sock: \(version.tail)"
        }
        let listed = Set(try remote.check("\(ImageArchive.ctr) images ls -q", step: "listing containerd's images").stdout
            .split(separator: "\n").map(String.init))
        let owed = changed(machine.name).units.contains(Self.imagesUnit)
        var imported: [String] = []
        for archive in archives where owed || !archive.images.allSatisfy(listed.contains) {
            try remote.check("\(ImageArchive.ctr) images import \(shellQuote(archive.destination))", step: "importing \(archive.file) into containerd")
            imported += archive.images
        }
        settled(machine.name, unit: Self.imagesUnit)
        guard !imported.isEmpty else { return [] }
        progress("  \(machine.name): imported \(imported.joined(separator: ", "))")
        return ["imported \(imported.joined(separator: ", "))"]
    }

    /// CoreDNS; gate: its deployment rolled out. Off with `addons.dns: false`; an image that cannot
    /// be pulled (no registry, no archive in images/) stops it at once, naming the image.
    func addons() throws -> [HostStep] {
        guard let first = firstController else { return [] }
        guard cluster.addons.dns else {
            progress("  DNS: off (addons.dns: false), nothing deployed")
            return [HostStep(host: first.name, notes: ["DNS off (addons.dns: false)"])]
        }
        let remote = host(first)
        try remote.check("\(Self.kubectl) apply -f /etc/kubernetes/addons/coredns.yaml", step: "kubectl apply coredns.yaml")
        let image = (try? KubernetesRelease.forVersion(cluster.kubernetesVersion).coreDNSImage) ?? "coredns"
        try gate(.addons, host: first.name, timeout: max(gateTimeout, 180), every: 2,
                 fix: "see `kubectl -n kube-system describe pods -l k8s-app=kube-dns` on \(first.name)") {
            let deployment = try remote.run("\(Self.kubectl) -n kube-system get deployment coredns -o json")
            let pods = try remote.run("\(Self.kubectl) -n kube-system get pods -l k8s-app=kube-dns -o json")
            if let reason = KubernetesReadings.imagePullFailure(pods.stdout) {
                throw PhaseError(.addons, host: first.name, "CoreDNS's image \(image) cannot be had (\(reason)): no registry answers and no archive in \(self.binariesDirectory)/images/ names it",
                                 fix: "put its OCI archive in \(self.binariesDirectory)/images/ (e.g. `skopeo copy docker://\(image) oci-archive:coredns.tar:\(image)` on a machine that reaches the registry), or set addons.dns: false in the cluster file")
            }
            return KubernetesReadings.rolledOut(deployment.stdout) ? nil : "CoreDNS is not rolled out"
        }
        progress("  CoreDNS ready")
        return [HostStep(host: first.name, notes: ["CoreDNS ready"])]
    }

    /// A secret written through the API server must reach etcd encrypted with the configured provider.
    func smoke() throws -> [HostStep] {
        guard let first = firstController, let member = cluster.etcdMembers.first else { return [] }
        let problem = try encryptionProblem(apiHost: host(first), etcdHost: host(member), secret: "hardway-smoke")
        if let problem { throw PhaseError(.smoke, host: first.name, problem, fix: "check /var/lib/kubernetes/encryption-config.yaml and the API server's --encryption-provider-config") }
        progress("  a new secret is stored encrypted (\(KubernetesReadings.encryptionPrefix(cluster.encryption.provider)))")
        return [HostStep(host: first.name, notes: ["encryption at rest verified"])]
    }

    func encryptionProblem(apiHost: any RemoteHost, etcdHost: any RemoteHost, secret: String) throws -> String? {
        try KubernetesReadings.encryptionProblem(cluster: cluster, apiHost: apiHost, etcdHost: etcdHost, secret: secret)
    }
}

extension KubernetesReadings {
    static let kubectl = NodeCommands.kubectl

    /// Creates a secret, reads its raw value from etcd, deletes it; nil when it was encrypted.
    static func encryptionProblem(cluster: Cluster, apiHost: any RemoteHost, etcdHost: any RemoteHost, secret: String) throws -> String? {
        _ = try apiHost.run("\(kubectl) -n default delete secret \(secret) --ignore-not-found")
        try apiHost.check("\(kubectl) -n default create secret generic \(secret) --from-literal=probe=hardway", step: "creating a test secret")
        defer { _ = try? apiHost.run("\(kubectl) -n default delete secret \(secret) --ignore-not-found") }
        // The value is binary after its prefix: its first bytes cross ssh as base64.
        let encoded = try etcdHost.check("\(NodeCommands.etcdctl(endpoints: "https://127.0.0.1:2379")) get /registry/secrets/default/\(secret) --print-value-only | head -c 64 | base64 -w0",
                                         step: "reading the secret from etcd").stdout
        let raw = Data(base64Encoded: encoded.trimmingCharacters(in: .whitespacesAndNewlines)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return KubernetesReadings.isEncrypted(raw: raw, provider: cluster.encryption.provider)
            ? nil : "the secret is stored as \(raw.prefix(12).debugDescription) in etcd, not with \(KubernetesReadings.encryptionPrefix(cluster.encryption.provider))"
    }
}

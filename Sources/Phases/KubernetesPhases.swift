import Foundation
import ClusterModel
import Remote
import Shell

/// What the phases after the load balancer read back from the API server and etcd: pure parsing,
/// so it is tested without the Kubernetes binaries this box cannot have.
public enum KubernetesReadings {
    /// Node name → Ready, from `kubectl get nodes -o json`.
    public static func readyNodes(_ json: String) -> [String: Bool] {
        struct List: Decodable {
            struct Node: Decodable {
                struct Metadata: Decodable { var name: String }
                struct Status: Decodable {
                    struct Condition: Decodable { var type: String; var status: String }
                    var conditions: [Condition]?
                }
                var metadata: Metadata
                var status: Status?
            }
            var items: [Node]
        }
        guard let list = try? JSONDecoder().decode(List.self, from: Data(json.utf8)) else { return [:] }
        var result: [String: Bool] = [:]
        for node in list.items {
            result[node.metadata.name] = node.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } ?? false
        }
        return result
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
        let steps = try onHosts(cluster.controllers) { try self.startUnits(.controlPlane, on: $0) }
        for controller in cluster.controllers {
            try gate(.controlPlane, host: controller.name, fix: "look at `journalctl -u kube-apiserver -n 40` on \(controller.name)") {
                let livez = try host(controller).run("\(Self.kubectl) get --raw /livez 2>&1")
                return livez.succeeded && livez.stdout.hasPrefix("ok") ? nil : "/livez on 127.0.0.1:6443: \(livez.tail)"
            }
            progress("  \(controller.name): kube-apiserver /livez ok")
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
        let steps = try onHosts(cluster.workers) { machine in
            try self.host(machine).check("modprobe -a overlay br_netfilter 2>/dev/null; sysctl -q --system", step: "loading modules and sysctls")
            return try self.startUnits(.workers, on: machine)
        }
        guard let first = firstController else { return steps }
        let names = Set(cluster.workers.map(\.name))
        try gate(.workers, host: first.name, timeout: max(gateTimeout, 180), fix: "look at `journalctl -u kubelet -n 40` on the workers that are not Ready") {
            let nodes = try host(first).run("\(Self.kubectl) get nodes -o json")
            let ready = KubernetesReadings.readyNodes(nodes.stdout)
            let notReady = names.filter { ready[$0] != true }.sorted()
            return notReady.isEmpty ? nil : "not Ready: \(notReady.joined(separator: ", "))"
        }
        progress("  \(names.count) workers Ready")
        return steps
    }

    /// CoreDNS; gate: its deployment rolled out.
    func addons() throws -> [HostStep] {
        guard let first = firstController else { return [] }
        try host(first).check("\(Self.kubectl) apply -f /etc/kubernetes/addons/coredns.yaml", step: "kubectl apply coredns.yaml")
        try host(first).check("\(Self.kubectl) -n kube-system rollout status deployment/coredns --timeout=\(Int(max(gateTimeout, 180)))s",
                              step: "waiting for CoreDNS")
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
        let raw = try etcdHost.check("\(NodeCommands.etcdctl(endpoints: "https://127.0.0.1:2379")) get /registry/secrets/default/\(secret) --print-value-only | head -c 64",
                                     step: "reading the secret from etcd").stdout
        return KubernetesReadings.isEncrypted(raw: raw, provider: cluster.encryption.provider)
            ? nil : "the secret is stored as \(raw.prefix(12).debugDescription) in etcd, not with \(KubernetesReadings.encryptionPrefix(cluster.encryption.provider))"
    }
}

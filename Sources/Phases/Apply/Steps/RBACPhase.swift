import ClusterModel

/// The API server's access to the kubelets (kubectl exec, logs, port-forward).
struct RBACPhase: ApplyPhase {
    let id = Phase.rbac

    func title(_ cluster: Cluster) -> String { "the API server's access to the kubelets" }

    func run(_ run: ApplyRun) throws -> [HostStep] {
        guard let first = run.firstController else { return [] }
        try run.wet(first.name, "kubectl apply kubelet-rbac.yaml") {
            try run.host(first).check("\(NodeCommands.kubectl) apply -f /etc/kubernetes/addons/kubelet-rbac.yaml", step: "kubectl apply kubelet-rbac.yaml")
        }
        return [HostStep(host: first.name, notes: ["kubelet RBAC applied"])]
    }
}

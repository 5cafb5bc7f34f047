// 1.30, from its command-line tools reference (kubernetes.io/docs/reference/command-line-tools-reference/):
// the flag sets of 1.31 (KubernetesRelease+1.31.swift) with the differences below.
extension KubernetesRelease {
    /// 1.30: no compatibility versions yet (`--emulated-version` came in 1.31); the kubelet still had
    /// `--keep-terminated-pod-volumes`.
    static let v1_30 = KubernetesRelease(
        minor: "1.30",
        flags: [.kubeAPIServer: apiServer131.subtracting(["emulated-version"]), .kubeControllerManager: controllerManager131,
                .kubeScheduler: scheduler131, .kubelet: kubelet131.union(["keep-terminated-pod-volumes"]), .kubeProxy: kubeProxy131],
        coreDNSImage: "registry.k8s.io/coredns/coredns:v1.11.1", pauseImage: "registry.k8s.io/pause:3.9")
}

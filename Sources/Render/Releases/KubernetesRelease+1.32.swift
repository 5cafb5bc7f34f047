// 1.32, from its command-line tools reference (kubernetes.io/docs/reference/command-line-tools-reference/):
// the flag sets of 1.31 (KubernetesRelease+1.31.swift) with the differences below.
extension KubernetesRelease {
    /// 1.32: the control-plane components all take `--emulated-version`.
    static let v1_32 = KubernetesRelease(
        minor: "1.32",
        flags: [.kubeAPIServer: apiServer131, .kubeControllerManager: controllerManager131.union(["emulated-version"]),
                .kubeScheduler: scheduler131.union(["emulated-version"]), .kubelet: kubelet131, .kubeProxy: kubeProxy131],
        coreDNSImage: "registry.k8s.io/coredns/coredns:v1.11.3", pauseImage: "registry.k8s.io/pause:3.10")
}

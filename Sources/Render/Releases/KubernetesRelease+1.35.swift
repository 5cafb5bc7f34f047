// 1.35: each component's flags from research/r1/flags-1.35.txt (main section: `flags`; its
// "(deprecated/hidden)" section: `hiddenFlags`; kube-proxy's klog flags that the reference page shows but the
// binary rejects (kubernetes/website#44750) are left out). That file's provenance:
// - kube-apiserver: 1.35 reference page, read in full: kubernetes/website@0637786b3e0a896fabe197d29682f2bb688074a6
//   content/en/docs/reference/command-line-tools-reference/kube-apiserver.md ("kube=1.32..1.35(default:1.35)").
// - kube-controller-manager: 1.36 page set minus --concurrent-resourceclaim-syncs and --tls-curve-preferences (both 1.36);
//   the uk 1.35 translation (index id 8038890296, "kube=1.32..1.35 (default=1.35)") confirms
//   --concurrent-device-taint-eviction-syncs and --controller-shutdown-timeout exist in 1.35.
// - kube-scheduler: 1.36 page set minus --tls-curve-preferences (k8s.io/apiserver: flag first at tag kubernetes-1.36.0).
// - kubelet: = 1.36 page set (1.34 page minus --pod-infra-container-image, removed in 1.35 #133779; 1.34->1.36 pages
//   differ by exactly that flag).
// - kube-proxy: 1.35 reference page, read in full: dancer1325/kubernetes-website@49562b071c66b44ad572c224d075bfc26983029f
//   (fork of kubernetes/website; version identified by its feature-gate list).
// Images (research/r1/versions.md):
// - CoreDNS v1.12.4: CHANGELOG-1.35 (v1.12.3 #132288, then v1.12.4 #133968).
// - pause 3.10.1: no bump in CHANGELOG-1.35 (1.36 bumps it, #138199).
// Against 1.34 (the sets below are written as 1.34's with these differences; equal to the file's sets):
//   kube-apiserver: +min-compatibility-version
//   kube-controller-manager: +concurrent-device-taint-eviction-syncs +controller-shutdown-timeout
//     +min-compatibility-version
//   kube-scheduler: +min-compatibility-version
//   kubelet: -pod-infra-container-image
extension KubernetesRelease {
    static let v1_35 = KubernetesRelease(
        minor: "1.35",
        flags: [.kubeAPIServer: apiServer135, .kubeControllerManager: controllerManager135, .kubeScheduler: scheduler135,
                .kubelet: kubelet135, .kubeProxy: kubeProxy135],
        coreDNSImage: "registry.k8s.io/coredns/coredns:v1.12.4", pauseImage: "registry.k8s.io/pause:3.10.1",
        hiddenFlags: [.kubeAPIServer: apiServerHidden135, .kubeControllerManager: controllerManagerHidden135,
                      .kubeScheduler: schedulerHidden135, .kubelet: kubeletHidden135, .kubeProxy: kubeProxyHidden135])

    static let apiServer135 = apiServer134.union(words("min-compatibility-version"))

    static let controllerManager135 = controllerManager134.union(words("""
        concurrent-device-taint-eviction-syncs controller-shutdown-timeout min-compatibility-version
        """))

    static let scheduler135 = scheduler134.union(words("min-compatibility-version"))

    static let kubelet135 = kubelet134

    static let kubeProxy135 = kubeProxy134

    static let apiServerHidden135 = apiServerHidden134
    static let controllerManagerHidden135 = controllerManagerHidden134
    static let schedulerHidden135 = schedulerHidden134
    static let kubeletHidden135 = kubeletHidden134.subtracting(words("pod-infra-container-image"))
    static let kubeProxyHidden135 = kubeProxyHidden134
}

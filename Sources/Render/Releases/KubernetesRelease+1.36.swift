// 1.36: each component's flags from research/r1/flags-1.36.txt (main section: `flags`; its
// "(deprecated/hidden)" section: `hiddenFlags`; kube-proxy's klog flags that the reference page shows but the
// binary rejects (kubernetes/website#44750) are left out). That file's provenance:
// Provenance (all five from generated reference pages, read in full, fork of kubernetes/website
// victord-ef/website@d63ca76b714904beb0d22f92aafc246d1363965f, content/en/docs/reference/command-line-tools-reference/*.md;
// emulated-version "kube=1.33..1.36(default:1.36)"):
// - kube-apiserver (= 1.35 set + --tls-curve-preferences), kube-controller-manager, kube-scheduler, kubelet, kube-proxy.
// Images (research/r1/versions.md):
// - CoreDNS v1.14.2: CHANGELOG-1.36 "Updated CoreDNS to v1.14.2" (#137605); build/dependencies.yaml @008b3652 coredns-kubeadm 1.14.2.
// - pause 3.10.2: CHANGELOG-1.36 "Updated the pause image to v3.10.2" (#138199); kubectl testdata at kubernetes-1.36.0.
// Against 1.35 (the sets below are written as 1.35's with these differences; equal to the file's sets):
//   kube-apiserver: +tls-curve-preferences
//   kube-controller-manager: +concurrent-resourceclaim-syncs +tls-curve-preferences
//   kube-scheduler: +tls-curve-preferences
extension KubernetesRelease {
    static let v1_36 = KubernetesRelease(
        minor: "1.36",
        flags: [.kubeAPIServer: apiServer136, .kubeControllerManager: controllerManager136, .kubeScheduler: scheduler136,
                .kubelet: kubelet136, .kubeProxy: kubeProxy136],
        coreDNSImage: "registry.k8s.io/coredns/coredns:v1.14.2", pauseImage: "registry.k8s.io/pause:3.10.2",
        hiddenFlags: [.kubeAPIServer: apiServerHidden136, .kubeControllerManager: controllerManagerHidden136,
                      .kubeScheduler: schedulerHidden136, .kubelet: kubeletHidden136, .kubeProxy: kubeProxyHidden136])

    static let apiServer136 = apiServer135.union(words("tls-curve-preferences"))

    static let controllerManager136 = controllerManager135.union(words("concurrent-resourceclaim-syncs tls-curve-preferences"))

    static let scheduler136 = scheduler135.union(words("tls-curve-preferences"))

    static let kubelet136 = kubelet135

    static let kubeProxy136 = kubeProxy135

    static let apiServerHidden136 = apiServerHidden135
    static let controllerManagerHidden136 = controllerManagerHidden135
    static let schedulerHidden136 = schedulerHidden135
    static let kubeletHidden136 = kubeletHidden135
    static let kubeProxyHidden136 = kubeProxyHidden135
}

// 1.37: each component's flags from research/r1/flags-1.37.txt (main section: `flags`; its
// "(deprecated/hidden)" section: `hiddenFlags`; kube-proxy's klog flags that the reference page shows but the
// binary rejects (kubernetes/website#44750) are left out). That file's provenance:
// - kube-apiserver: kubernetes/website@23009a516ff325a0d551d0f69de43ceeeac60d65 kube-apiserver.md ("kube=1.34..1.37"),
//   same flag set as 1.36; --enable-logs-handler no longer marked deprecated (#138915).
// - kube-controller-manager: kubernetes/website@23009a516ff325a0d551d0f69de43ceeeac60d65 kube-controller-manager.md, read in
//   full: 1.36 set + --concurrent-disruption-syncs - --concurrent-service-syncs (removed, #138002).
// - kube-scheduler, kubelet, kube-proxy: NO 1.37 page found; DERIVED = the 1.36 sets. CHANGELOG-1.37 (only v1.37.0-alpha.1
//   notes are stored) names no flag change for them (kubelet's deprecated-flag removal deferred to 1.38, #139121;
//   kube-proxy only gained a KubeProxyIPVS feature gate, #139397). v1.37.0 was released (CHANGELOG-1.38 alpha.1 says
//   "Changelog since v1.37.0") but its consolidated notes are not in the store.
// Images (research/r1/versions.md):
// - CoreDNS v1.14.3: CHANGELOG-1.37 v1.37.0-alpha.1 "Bump coredns to 1.14.3" (#138536); the v1.37.0 notes are not in the store.
// - pause 3.10.2: no bump in CHANGELOG-1.37 alpha.1; kubernetes/kubectl testdata at tag kubernetes-1.37.0-beta.0.
// Against 1.36 (the sets below are written as 1.36's with these differences; equal to the file's sets):
//   kube-controller-manager: +concurrent-disruption-syncs; -concurrent-service-syncs
extension KubernetesRelease {
    static let v1_37 = KubernetesRelease(
        minor: "1.37",
        flags: [.kubeAPIServer: apiServer137, .kubeControllerManager: controllerManager137, .kubeScheduler: scheduler137,
                .kubelet: kubelet137, .kubeProxy: kubeProxy137],
        coreDNSImage: "registry.k8s.io/coredns/coredns:v1.14.3", pauseImage: "registry.k8s.io/pause:3.10.2",
        hiddenFlags: [.kubeAPIServer: apiServerHidden137, .kubeControllerManager: controllerManagerHidden137,
                      .kubeScheduler: schedulerHidden137, .kubelet: kubeletHidden137, .kubeProxy: kubeProxyHidden137])

    static let apiServer137 = apiServer136.union(words("enable-logs-handler"))

    static let controllerManager137 = controllerManager136.union(words("concurrent-disruption-syncs")).subtracting(words("concurrent-service-syncs"))

    static let scheduler137 = scheduler136

    static let kubelet137 = kubelet136

    static let kubeProxy137 = kubeProxy136

    static let apiServerHidden137 = apiServerHidden136.subtracting(words("enable-logs-handler"))
    static let controllerManagerHidden137 = controllerManagerHidden136
    static let schedulerHidden137 = schedulerHidden136
    static let kubeletHidden137 = kubeletHidden136
    static let kubeProxyHidden137 = kubeProxyHidden136
}

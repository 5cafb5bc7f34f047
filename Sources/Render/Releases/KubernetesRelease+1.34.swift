// 1.34: each component's flags from research/r1/flags-1.34.txt (main section: `flags`; its
// "(deprecated/hidden)" section: `hiddenFlags`; kube-proxy's klog flags that the reference page shows but the
// binary rejects (kubernetes/website#44750) are left out). That file's provenance:
// - kube-apiserver: 1.35 page set minus --min-compatibility-version (added in 1.35, #133980). Spot-checked against the
//   zh-tw 1.34 translation of the page (index id 7822947197, "kube=1.31..1.34(default:1.34)"): has
//   --coordinated-leadership-*, --emulation-forward-compatible.
// - kube-controller-manager: 1.36 page set minus --concurrent-resourceclaim-syncs (1.36, #134701), --tls-curve-preferences
//   (1.36, #137115), --min-compatibility-version (1.35), --concurrent-device-taint-eviction-syncs and
//   --controller-shutdown-timeout (both absent from the zh-tw 1.34 KCM page, index id 7822693472, read a..e; both present
//   on the uk 1.35 KCM page, index id 8038890296).
// - kube-scheduler: 1.36 page set minus --tls-curve-preferences and --min-compatibility-version.
// - kubelet: the 1.34 reference page, read in full (index id 1502586883; version identified by its feature-gate list and
//   "--pod-infra-container-image ... DEPRECATED: will be removed in 1.35").
// - kube-proxy: = 1.35 set (see 1.33).
// Images (research/r1/versions.md):
// - CoreDNS v1.12.1: CHANGELOG-1.34 "Upgraded CoreDNS to v1.12.1" (#131151).
// - pause 3.10.1: CHANGELOG-1.34 "Updated pause version to registry.k8s.io/pause:3.10.1" (#130713).
// Against 1.33 (the sets below are written as 1.33's with these differences; equal to the file's sets):
//   kube-apiserver: +coordinated-leadership-lease-duration +coordinated-leadership-renew-deadline
//     +coordinated-leadership-retry-period
//   kubelet: -cloud-config -register-schedulable
extension KubernetesRelease {
    static let v1_34 = KubernetesRelease(
        minor: "1.34",
        flags: [.kubeAPIServer: apiServer134, .kubeControllerManager: controllerManager134, .kubeScheduler: scheduler134,
                .kubelet: kubelet134, .kubeProxy: kubeProxy134],
        coreDNSImage: "registry.k8s.io/coredns/coredns:v1.12.1", pauseImage: "registry.k8s.io/pause:3.10.1",
        hiddenFlags: [.kubeAPIServer: apiServerHidden134, .kubeControllerManager: controllerManagerHidden134,
                      .kubeScheduler: schedulerHidden134, .kubelet: kubeletHidden134, .kubeProxy: kubeProxyHidden134])

    static let apiServer134 = apiServer133.union(words("""
        coordinated-leadership-lease-duration coordinated-leadership-renew-deadline
        coordinated-leadership-retry-period
        """))

    static let controllerManager134 = controllerManager133

    static let scheduler134 = scheduler133

    static let kubelet134 = kubelet133

    static let kubeProxy134 = kubeProxy133

    static let apiServerHidden134 = apiServerHidden133
    static let controllerManagerHidden134 = controllerManagerHidden133
    static let schedulerHidden134 = schedulerHidden133
    static let kubeletHidden134 = kubeletHidden133.subtracting(words("cloud-config register-schedulable"))
    static let kubeProxyHidden134 = kubeProxyHidden133
}

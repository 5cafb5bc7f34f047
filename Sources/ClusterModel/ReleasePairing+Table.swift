// The pairing of each supported Kubernetes minor. Sources (research/r1/versions.md and sources.md hold the
// commits and quotes):
// - etcd: the release's own default, from k8s.io/sample-apiserver artifacts/example/deployment.yaml at tag
//   kubernetes-1.X.0 (a refPath of the etcd entry of kubernetes/kubernetes build/dependencies.yaml, kept equal
//   to it); 1.37 at kubernetes-1.37.0-beta.0. 1.20–1.32 keep hardway's default from before the pairings
//   (v3.5.17), so files that name no etcdVersion render as they did.
// - etcd minors: what kubeadm maps each control-plane minor to (CHANGELOG-1.34/1.35/1.36: #134779 "v3.5.24 for
//   supported control plane versions v1.32, v1.33, and v1.34", #135701 "etcd < v3.6.0 is no longer supported"
//   in 1.36), plus 3.6 for 1.32/1.33 (kubernetes-the-hard-way runs v1.32.3 on etcd 3.6) and 3.6 for 1.37
//   (3.7 is its default; etcd upgrades one minor at a time, so a 1.36 cluster's 3.6 stays valid).
//   1.20 and 1.30–1.31: 3.4 (what the lab runs, Debian 12's v3.4.23) and 3.5 (hardway's default).
// - containerd: containerd/containerd RELEASES.md "Kubernetes Support" (@301026e5, 2026-08-22; rows 1.30/1.31 at
//   tag v2.1.0): the first release of the newest series the release's row lists. 1.37 has no row yet: 1.36's.
//   1.30–1.32 take kubernetes-the-hard-way's pin for v1.32.3 (containerd 2.1, @52eb26da) at its final release.
// - runc: the one that containerd release builds and tests with (script/setup/runc-version at its tag).
// - CNI plugins: Kubernetes' own pin (CHANGELOG-1.33 #129776 v1.6.2, CHANGELOG-1.34 #131602 v1.7.1,
//   CHANGELOG-1.35 #133837 v1.8.0; build/dependencies.yaml @008b3652, after 1.36.0: v1.9.1). 1.30–1.32:
//   kubernetes-the-hard-way's v1.6.2. 1.37: none found, 1.36's.
// - 1.20: Debian 12's packages, which the lab installs: containerd 1.6.20, runc 1.1.5, CNI plugins 1.1.1.
// - containerd floors: CRI v1 only from Kubernetes 1.26 (RELEASES.md: "v1.6.15+, v1.7.0+ | 1.26+"); 2.0 from
//   1.36, whose row lists only 2.2+ and 2.3+ (1.35's is the last with 1.7; CHANGELOG-1.35 #134906: a 1.36
//   kubelet may refuse a runtime without the RuntimeConfig call, which containerd 1.7 lacks).
// - kube-proxy: nftables beta and on by default from 1.31, GA from 1.33 (kubernetes/kubernetes
//   pkg/features/kube_features.go NFTablesProxyMode; CHANGELOG-1.33 #129653); ipvs deprecated in 1.35
//   (CHANGELOG-1.35 #134539), still present through 1.37 (a KubeProxyIPVS gate came in 1.37, #139397).
// - cgroup v2: the kubelet's failCgroupV1 is "Default: true" from 1.35 (kubernetes/kubelet config/v1beta1/types.go
//   at kubernetes-1.35.0; CHANGELOG-1.35 #134298 "nodes will not start on a cgroup v1 by default").
extension ReleasePairing {
    static let legacyEtcd = "v3.5.17"
    static let criV1 = (ReleaseVersion(1, 6, 15), "CRI v1, the only CRI API of Kubernetes 1.26 and later, came in containerd 1.6.15")
    static let containerd2 = (ReleaseVersion(2, 0, 0), "1.35 is the last Kubernetes release that runs on containerd 1.x")

    public static let table: [ReleasePairing] = [
        ReleasePairing(minor: "1.20", etcd: legacyEtcd, etcdMinors: ["3.4", "3.5"], containerd: "v1.6.20", runc: "v1.1.5", cniPlugins: "v1.1.1",
                       containerdFloor: ReleaseVersion(1, 4, 0), containerdFloorReason: "containerd 1.4 is the first for Kubernetes 1.19 and later",
                       proxyModes: [.iptables, .ipvs]),
        kthw(minor: "1.30", etcdMinors: ["3.4", "3.5"], proxyModes: [.iptables, .ipvs]),
        kthw(minor: "1.31", etcdMinors: ["3.4", "3.5"], proxyModes: [.iptables, .nftables, .ipvs]),
        kthw(minor: "1.32", etcdMinors: ["3.4", "3.5", "3.6"], proxyModes: [.iptables, .nftables, .ipvs]),
        ReleasePairing(minor: "1.33", etcd: "v3.5.21", etcdMinors: ["3.5", "3.6"], containerd: "v2.1.0", runc: "v1.3.0", cniPlugins: "v1.6.2",
                       containerdFloor: criV1.0, containerdFloorReason: criV1.1,
                       proxyModes: ProxyMode.allCases),
        ReleasePairing(minor: "1.34", etcd: "v3.6.4", etcdMinors: ["3.5", "3.6"], containerd: "v2.1.3", runc: "v1.3.0", cniPlugins: "v1.7.1",
                       containerdFloor: criV1.0, containerdFloorReason: criV1.1,
                       proxyModes: ProxyMode.allCases),
        ReleasePairing(minor: "1.35", etcd: "v3.6.6", etcdMinors: ["3.6"], containerd: "v2.2.0", runc: "v1.3.3", cniPlugins: "v1.8.0",
                       containerdFloor: criV1.0, containerdFloorReason: criV1.1,
                       proxyModes: ProxyMode.allCases, ipvsDeprecated: true, kubeletNeedsCgroupV2: true),
        ReleasePairing(minor: "1.36", etcd: "v3.6.8", etcdMinors: ["3.6"], containerd: "v2.3.0", runc: "v1.4.2", cniPlugins: "v1.9.1",
                       containerdFloor: containerd2.0, containerdFloorReason: containerd2.1,
                       proxyModes: ProxyMode.allCases, ipvsDeprecated: true, kubeletNeedsCgroupV2: true),
        ReleasePairing(minor: "1.37", etcd: "v3.7.0", etcdMinors: ["3.6", "3.7"], containerd: "v2.3.0", runc: "v1.4.2", cniPlugins: "v1.9.1",
                       containerdFloor: containerd2.0, containerdFloorReason: containerd2.1,
                       proxyModes: ProxyMode.allCases, ipvsDeprecated: true, kubeletNeedsCgroupV2: true),
    ]

    /// 1.30–1.32: kubernetes-the-hard-way's versions for v1.32.3 (containerd 2.1, runc 1.3, CNI plugins 1.6.2).
    static func kthw(minor: String, etcdMinors: [String], proxyModes: [ProxyMode]) -> ReleasePairing {
        ReleasePairing(minor: minor, etcd: legacyEtcd, etcdMinors: etcdMinors, containerd: "v2.1.0", runc: "v1.3.0", cniPlugins: "v1.6.2",
                       containerdFloor: criV1.0, containerdFloorReason: criV1.1, proxyModes: proxyModes)
    }
}

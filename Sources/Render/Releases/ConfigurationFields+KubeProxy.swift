// KubeProxyConfiguration's fields in each release hardway supports, as JSON paths (dots nest; a list's element
// fields sit under the list's name), read from upstream's Go types at each release's tag: kubernetes/kube-proxy
// config/v1alpha1/types.go (mirror HEAD d37b2e7, 2026-07-21), with component-base config/v1alpha1/types.go for the
// embedded client-connection, leader-election and debugging types. research/r2/data/kube-proxy-kubernetes-<tag>.tsv
// (made by research/r2/scripts/gofields.py; see research/r2/config-fields.md) holds them for the .0 and the newest
// patch of each minor, which are identical (1.20.0 and 1.20.15, 1.30.0 and 1.30.14, ..., 1.36.0 and 1.36.3); 1.37
// is read at kubernetes-1.37.0-beta.0, the newest tag stored. A path ending in {} is open: its keys are the user's
// (maps like featureGates) or its type lives in another package (logging, tracing), so what lies under it is not
// checked.
extension ConfigurationFields {
    /// 1.20 (tag kubernetes-1.20.15, identical at kubernetes-1.20.0).
    static let kubeProxy120 = ConfigurationFields(apiVersion: "kubeproxy.config.k8s.io/v1alpha1", """
        apiVersion kind featureGates{} bindAddress healthzBindAddress metricsBindAddress bindAddressHardFail
        enableProfiling clusterCIDR hostnameOverride clientConnection clientConnection.kubeconfig
        clientConnection.acceptContentTypes clientConnection.contentType clientConnection.qps
        clientConnection.burst iptables iptables.masqueradeBit iptables.masqueradeAll iptables.syncPeriod
        iptables.minSyncPeriod ipvs ipvs.syncPeriod ipvs.minSyncPeriod ipvs.scheduler ipvs.excludeCIDRs
        ipvs.strictARP ipvs.tcpTimeout ipvs.tcpFinTimeout ipvs.udpTimeout oomScoreAdj mode portRange
        udpIdleTimeout conntrack conntrack.maxPerCore conntrack.min conntrack.tcpEstablishedTimeout
        conntrack.tcpCloseWaitTimeout configSyncPeriod nodePortAddresses winkernel winkernel.networkName
        winkernel.sourceVip winkernel.enableDSR showHiddenMetricsForVersion detectLocalMode
        """)

    /// 1.30 (tag kubernetes-1.30.14, identical at kubernetes-1.30.0).
    static let kubeProxy130 = ConfigurationFields(apiVersion: "kubeproxy.config.k8s.io/v1alpha1", """
        apiVersion kind featureGates{} clientConnection clientConnection.kubeconfig
        clientConnection.acceptContentTypes clientConnection.contentType clientConnection.qps
        clientConnection.burst logging{} hostnameOverride bindAddress healthzBindAddress metricsBindAddress
        bindAddressHardFail enableProfiling showHiddenMetricsForVersion mode iptables iptables.masqueradeBit
        iptables.masqueradeAll iptables.localhostNodePorts iptables.syncPeriod iptables.minSyncPeriod ipvs
        ipvs.syncPeriod ipvs.minSyncPeriod ipvs.scheduler ipvs.excludeCIDRs ipvs.strictARP ipvs.tcpTimeout
        ipvs.tcpFinTimeout ipvs.udpTimeout nftables nftables.masqueradeBit nftables.masqueradeAll
        nftables.syncPeriod nftables.minSyncPeriod winkernel winkernel.networkName winkernel.sourceVip
        winkernel.enableDSR winkernel.rootHnsEndpointName winkernel.forwardHealthCheckVip detectLocalMode
        detectLocal detectLocal.bridgeInterface detectLocal.interfaceNamePrefix clusterCIDR nodePortAddresses
        oomScoreAdj conntrack conntrack.maxPerCore conntrack.min conntrack.tcpEstablishedTimeout
        conntrack.tcpCloseWaitTimeout conntrack.tcpBeLiberal conntrack.udpTimeout conntrack.udpStreamTimeout
        configSyncPeriod portRange
        """)

    /// 1.31 (kubernetes-1.31.14 = 1.31.0): 1.30's fields and 1 more.
    static let kubeProxy131 = kubeProxy130.adding("windowsRunAsService")

    /// 1.32 (kubernetes-1.32.13 = 1.32.0): the same fields as 1.31.
    static let kubeProxy132 = kubeProxy131

    /// 1.33 (kubernetes-1.33.13 = 1.33.0): the same fields as 1.32.
    static let kubeProxy133 = kubeProxy132

    /// 1.34 (kubernetes-1.34.10 = 1.34.0): the same fields as 1.33.
    static let kubeProxy134 = kubeProxy133

    /// 1.35 (kubernetes-1.35.7 = 1.35.0): the same fields as 1.34.
    static let kubeProxy135 = kubeProxy134

    /// 1.36 (kubernetes-1.36.3 = 1.36.0): the same fields as 1.35.
    static let kubeProxy136 = kubeProxy135

    /// 1.37 (kubernetes-1.37.0-beta.0): the same fields as 1.36.
    static let kubeProxy137 = kubeProxy136
}

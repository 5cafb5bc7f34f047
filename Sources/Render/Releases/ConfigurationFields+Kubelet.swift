// KubeletConfiguration's fields in each release hardway supports, as JSON paths (dots nest; a list's element fields
// sit under the list's name), read from upstream's Go types at each release's tag: kubernetes/kubelet
// config/v1beta1/types.go (mirror HEAD 63b3249, 2026-07-23), with component-base config/v1alpha1/types.go for the
// embedded client-connection, leader-election and debugging types. research/r2/data/kubelet-kubernetes-<tag>.tsv
// (made by research/r2/scripts/gofields.py; see research/r2/config-fields.md) holds them for the .0 and the newest
// patch of each minor, which are identical (1.20.0 and 1.20.15, 1.30.0 and 1.30.14, ..., 1.36.0 and 1.36.3); 1.37
// is read at kubernetes-1.37.0-beta.0, the newest tag stored. A path ending in {} is open: its keys are the user's
// (maps like featureGates) or its type lives in another package (logging, tracing), so what lies under it is not
// checked.
extension ConfigurationFields {
    /// 1.20 (tag kubernetes-1.20.15, identical at kubernetes-1.20.0).
    static let kubelet120 = ConfigurationFields(apiVersion: "kubelet.config.k8s.io/v1beta1", """
        apiVersion kind enableServer staticPodPath syncFrequency fileCheckFrequency httpCheckFrequency
        staticPodURL staticPodURLHeader{} address port readOnlyPort tlsCertFile tlsPrivateKeyFile
        tlsCipherSuites tlsMinVersion rotateCertificates serverTLSBootstrap authentication authentication.x509
        authentication.x509.clientCAFile authentication.webhook authentication.webhook.enabled
        authentication.webhook.cacheTTL authentication.anonymous authentication.anonymous.enabled authorization
        authorization.mode authorization.webhook authorization.webhook.cacheAuthorizedTTL
        authorization.webhook.cacheUnauthorizedTTL registryPullQPS registryBurst eventRecordQPS eventBurst
        enableDebuggingHandlers enableContentionProfiling healthzPort healthzBindAddress oomScoreAdj
        clusterDomain clusterDNS streamingConnectionIdleTimeout nodeStatusUpdateFrequency
        nodeStatusReportFrequency nodeLeaseDurationSeconds imageMinimumGCAge imageGCHighThresholdPercent
        imageGCLowThresholdPercent volumeStatsAggPeriod kubeletCgroups systemCgroups cgroupRoot cgroupsPerQOS
        cgroupDriver cpuManagerPolicy cpuManagerReconcilePeriod topologyManagerPolicy topologyManagerScope
        qosReserved{} runtimeRequestTimeout hairpinMode maxPods podCIDR podPidsLimit resolvConf runOnce
        cpuCFSQuota cpuCFSQuotaPeriod nodeStatusMaxImages maxOpenFiles contentType kubeAPIQPS kubeAPIBurst
        serializeImagePulls evictionHard{} evictionSoft{} evictionSoftGracePeriod{}
        evictionPressureTransitionPeriod evictionMaxPodGracePeriod evictionMinimumReclaim{} podsPerCore
        enableControllerAttachDetach protectKernelDefaults makeIPTablesUtilChains iptablesMasqueradeBit
        iptablesDropBit featureGates{} failSwapOn containerLogMaxSize containerLogMaxFiles
        configMapAndSecretChangeDetectionStrategy systemReserved{} kubeReserved{} reservedSystemCPUs
        showHiddenMetricsForVersion systemReservedCgroup kubeReservedCgroup enforceNodeAllocatable
        allowedUnsafeSysctls volumePluginDir providerID kernelMemcgNotification logging{} enableSystemLogHandler
        shutdownGracePeriod shutdownGracePeriodCriticalPods
        """)

    /// 1.30 (tag kubernetes-1.30.14, identical at kubernetes-1.30.0).
    static let kubelet130 = ConfigurationFields(apiVersion: "kubelet.config.k8s.io/v1beta1", """
        apiVersion kind enableServer staticPodPath podLogsDir syncFrequency fileCheckFrequency
        httpCheckFrequency staticPodURL staticPodURLHeader{} address port readOnlyPort tlsCertFile
        tlsPrivateKeyFile tlsCipherSuites tlsMinVersion rotateCertificates serverTLSBootstrap authentication
        authentication.x509 authentication.x509.clientCAFile authentication.webhook
        authentication.webhook.enabled authentication.webhook.cacheTTL authentication.anonymous
        authentication.anonymous.enabled authorization authorization.mode authorization.webhook
        authorization.webhook.cacheAuthorizedTTL authorization.webhook.cacheUnauthorizedTTL registryPullQPS
        registryBurst eventRecordQPS eventBurst enableDebuggingHandlers enableContentionProfiling healthzPort
        healthzBindAddress oomScoreAdj clusterDomain clusterDNS streamingConnectionIdleTimeout
        nodeStatusUpdateFrequency nodeStatusReportFrequency nodeLeaseDurationSeconds imageMinimumGCAge
        imageMaximumGCAge imageGCHighThresholdPercent imageGCLowThresholdPercent volumeStatsAggPeriod
        kubeletCgroups systemCgroups cgroupRoot cgroupsPerQOS cgroupDriver cpuManagerPolicy
        cpuManagerPolicyOptions{} cpuManagerReconcilePeriod memoryManagerPolicy topologyManagerPolicy
        topologyManagerScope topologyManagerPolicyOptions{} qosReserved{} runtimeRequestTimeout hairpinMode
        maxPods podCIDR podPidsLimit resolvConf runOnce cpuCFSQuota cpuCFSQuotaPeriod nodeStatusMaxImages
        maxOpenFiles contentType kubeAPIQPS kubeAPIBurst serializeImagePulls maxParallelImagePulls
        evictionHard{} evictionSoft{} evictionSoftGracePeriod{} evictionPressureTransitionPeriod
        evictionMaxPodGracePeriod evictionMinimumReclaim{} podsPerCore enableControllerAttachDetach
        protectKernelDefaults makeIPTablesUtilChains iptablesMasqueradeBit iptablesDropBit featureGates{}
        failSwapOn memorySwap memorySwap.swapBehavior containerLogMaxSize containerLogMaxFiles
        containerLogMaxWorkers containerLogMonitorInterval configMapAndSecretChangeDetectionStrategy
        systemReserved{} kubeReserved{} reservedSystemCPUs showHiddenMetricsForVersion systemReservedCgroup
        kubeReservedCgroup enforceNodeAllocatable allowedUnsafeSysctls volumePluginDir providerID
        kernelMemcgNotification logging{} enableSystemLogHandler enableSystemLogQuery shutdownGracePeriod
        shutdownGracePeriodCriticalPods shutdownGracePeriodByPodPriority
        shutdownGracePeriodByPodPriority.priority shutdownGracePeriodByPodPriority.shutdownGracePeriodSeconds
        reservedMemory reservedMemory.numaNode reservedMemory.limits{} enableProfilingHandler
        enableDebugFlagsHandler seccompDefault memoryThrottlingFactor registerWithTaints{} registerNode
        tracing{} localStorageCapacityIsolation containerRuntimeEndpoint imageServiceEndpoint
        """)

    /// 1.31 (kubernetes-1.31.14 = 1.31.0): 1.30's fields and 1 more.
    static let kubelet131 = kubelet130.adding("failCgroupV1")

    /// 1.32 (kubernetes-1.32.13 = 1.32.0): 1.31's fields and 3 more.
    static let kubelet132 = kubelet131.adding("""
        singleProcessOOMKill crashLoopBackOff crashLoopBackOff.maxContainerRestartPeriod
        """)

    /// 1.33 (kubernetes-1.33.13 = 1.33.0): 1.32's fields and 5 more.
    static let kubelet133 = kubelet132.adding("""
        imagePullCredentialsVerificationPolicy preloadedImagesVerificationAllowlist mergeDefaultEvictionSettings
        userNamespaces userNamespaces.idsPerPod
        """)

    /// 1.34 (kubernetes-1.34.10 = 1.34.0): the same fields as 1.33.
    static let kubelet134 = kubelet133

    /// 1.35 (kubernetes-1.35.7 = 1.35.0): the same fields as 1.34.
    static let kubelet135 = kubelet134

    /// 1.36 (kubernetes-1.36.3 = 1.36.0): 1.35's fields and 2 more.
    static let kubelet136 = kubelet135.adding("tlsCurvePreferences memoryReservationPolicy")

    /// 1.37 (kubernetes-1.37.0-beta.0): the same fields as 1.36.
    static let kubelet137 = kubelet136
}

// KubeSchedulerConfiguration's fields in each release hardway supports, as JSON paths (dots nest; a list's element
// fields sit under the list's name), read from upstream's Go types at each release's tag: kubernetes/kube-scheduler
// config/v1/types.go, 1.20: config/v1beta1/types.go (mirror HEAD e87dbdd, 2026-07-23), with component-base
// config/v1alpha1/types.go for the embedded client-connection, leader-election and debugging types.
// research/r2/data/kube-scheduler-kubernetes-<tag>.tsv (made by research/r2/scripts/gofields.py; see
// research/r2/config-fields.md) holds them for the .0 and the newest patch of each minor, which are identical
// (1.20.0 and 1.20.15, 1.30.0 and 1.30.14, ..., 1.36.0 and 1.36.3); 1.37 is read at kubernetes-1.37.0-beta.0, the
// newest tag stored. A path ending in {} is open: its keys are the user's (maps like featureGates) or its type
// lives in another package (logging, tracing), so what lies under it is not checked.
extension ConfigurationFields {
    /// 1.20 (tag kubernetes-1.20.15, identical at kubernetes-1.20.0).
    static let scheduler120 = ConfigurationFields(apiVersion: "kubescheduler.config.k8s.io/v1beta1", """
        apiVersion kind parallelism leaderElection leaderElection.leaderElect leaderElection.leaseDuration
        leaderElection.renewDeadline leaderElection.retryPeriod leaderElection.resourceLock
        leaderElection.resourceName leaderElection.resourceNamespace clientConnection
        clientConnection.kubeconfig clientConnection.acceptContentTypes clientConnection.contentType
        clientConnection.qps clientConnection.burst healthzBindAddress metricsBindAddress enableProfiling
        enableContentionProfiling percentageOfNodesToScore podInitialBackoffSeconds podMaxBackoffSeconds
        profiles profiles.schedulerName profiles.plugins profiles.plugins.queueSort
        profiles.plugins.queueSort.enabled profiles.plugins.queueSort.enabled.name
        profiles.plugins.queueSort.enabled.weight profiles.plugins.queueSort.disabled
        profiles.plugins.queueSort.disabled.name profiles.plugins.queueSort.disabled.weight
        profiles.plugins.preFilter profiles.plugins.preFilter.enabled profiles.plugins.preFilter.enabled.name
        profiles.plugins.preFilter.enabled.weight profiles.plugins.preFilter.disabled
        profiles.plugins.preFilter.disabled.name profiles.plugins.preFilter.disabled.weight
        profiles.plugins.filter profiles.plugins.filter.enabled profiles.plugins.filter.enabled.name
        profiles.plugins.filter.enabled.weight profiles.plugins.filter.disabled
        profiles.plugins.filter.disabled.name profiles.plugins.filter.disabled.weight
        profiles.plugins.postFilter profiles.plugins.postFilter.enabled profiles.plugins.postFilter.enabled.name
        profiles.plugins.postFilter.enabled.weight profiles.plugins.postFilter.disabled
        profiles.plugins.postFilter.disabled.name profiles.plugins.postFilter.disabled.weight
        profiles.plugins.preScore profiles.plugins.preScore.enabled profiles.plugins.preScore.enabled.name
        profiles.plugins.preScore.enabled.weight profiles.plugins.preScore.disabled
        profiles.plugins.preScore.disabled.name profiles.plugins.preScore.disabled.weight profiles.plugins.score
        profiles.plugins.score.enabled profiles.plugins.score.enabled.name profiles.plugins.score.enabled.weight
        profiles.plugins.score.disabled profiles.plugins.score.disabled.name
        profiles.plugins.score.disabled.weight profiles.plugins.reserve profiles.plugins.reserve.enabled
        profiles.plugins.reserve.enabled.name profiles.plugins.reserve.enabled.weight
        profiles.plugins.reserve.disabled profiles.plugins.reserve.disabled.name
        profiles.plugins.reserve.disabled.weight profiles.plugins.permit profiles.plugins.permit.enabled
        profiles.plugins.permit.enabled.name profiles.plugins.permit.enabled.weight
        profiles.plugins.permit.disabled profiles.plugins.permit.disabled.name
        profiles.plugins.permit.disabled.weight profiles.plugins.preBind profiles.plugins.preBind.enabled
        profiles.plugins.preBind.enabled.name profiles.plugins.preBind.enabled.weight
        profiles.plugins.preBind.disabled profiles.plugins.preBind.disabled.name
        profiles.plugins.preBind.disabled.weight profiles.plugins.bind profiles.plugins.bind.enabled
        profiles.plugins.bind.enabled.name profiles.plugins.bind.enabled.weight profiles.plugins.bind.disabled
        profiles.plugins.bind.disabled.name profiles.plugins.bind.disabled.weight profiles.plugins.postBind
        profiles.plugins.postBind.enabled profiles.plugins.postBind.enabled.name
        profiles.plugins.postBind.enabled.weight profiles.plugins.postBind.disabled
        profiles.plugins.postBind.disabled.name profiles.plugins.postBind.disabled.weight profiles.pluginConfig
        profiles.pluginConfig.name profiles.pluginConfig.args{} extenders extenders.urlPrefix
        extenders.filterVerb extenders.preemptVerb extenders.prioritizeVerb extenders.weight extenders.bindVerb
        extenders.enableHTTPS extenders.tlsConfig{} extenders.httpTimeout extenders.nodeCacheCapable
        extenders.managedResources{} extenders.ignorable
        """)

    /// 1.30 (tag kubernetes-1.30.14, identical at kubernetes-1.30.0).
    static let scheduler130 = ConfigurationFields(apiVersion: "kubescheduler.config.k8s.io/v1", """
        apiVersion kind parallelism leaderElection leaderElection.leaderElect leaderElection.leaseDuration
        leaderElection.renewDeadline leaderElection.retryPeriod leaderElection.resourceLock
        leaderElection.resourceName leaderElection.resourceNamespace clientConnection
        clientConnection.kubeconfig clientConnection.acceptContentTypes clientConnection.contentType
        clientConnection.qps clientConnection.burst enableProfiling enableContentionProfiling
        percentageOfNodesToScore podInitialBackoffSeconds podMaxBackoffSeconds profiles profiles.schedulerName
        profiles.percentageOfNodesToScore profiles.plugins profiles.plugins.preEnqueue
        profiles.plugins.preEnqueue.enabled profiles.plugins.preEnqueue.enabled.name
        profiles.plugins.preEnqueue.enabled.weight profiles.plugins.preEnqueue.disabled
        profiles.plugins.preEnqueue.disabled.name profiles.plugins.preEnqueue.disabled.weight
        profiles.plugins.queueSort profiles.plugins.queueSort.enabled profiles.plugins.queueSort.enabled.name
        profiles.plugins.queueSort.enabled.weight profiles.plugins.queueSort.disabled
        profiles.plugins.queueSort.disabled.name profiles.plugins.queueSort.disabled.weight
        profiles.plugins.preFilter profiles.plugins.preFilter.enabled profiles.plugins.preFilter.enabled.name
        profiles.plugins.preFilter.enabled.weight profiles.plugins.preFilter.disabled
        profiles.plugins.preFilter.disabled.name profiles.plugins.preFilter.disabled.weight
        profiles.plugins.filter profiles.plugins.filter.enabled profiles.plugins.filter.enabled.name
        profiles.plugins.filter.enabled.weight profiles.plugins.filter.disabled
        profiles.plugins.filter.disabled.name profiles.plugins.filter.disabled.weight
        profiles.plugins.postFilter profiles.plugins.postFilter.enabled profiles.plugins.postFilter.enabled.name
        profiles.plugins.postFilter.enabled.weight profiles.plugins.postFilter.disabled
        profiles.plugins.postFilter.disabled.name profiles.plugins.postFilter.disabled.weight
        profiles.plugins.preScore profiles.plugins.preScore.enabled profiles.plugins.preScore.enabled.name
        profiles.plugins.preScore.enabled.weight profiles.plugins.preScore.disabled
        profiles.plugins.preScore.disabled.name profiles.plugins.preScore.disabled.weight profiles.plugins.score
        profiles.plugins.score.enabled profiles.plugins.score.enabled.name profiles.plugins.score.enabled.weight
        profiles.plugins.score.disabled profiles.plugins.score.disabled.name
        profiles.plugins.score.disabled.weight profiles.plugins.reserve profiles.plugins.reserve.enabled
        profiles.plugins.reserve.enabled.name profiles.plugins.reserve.enabled.weight
        profiles.plugins.reserve.disabled profiles.plugins.reserve.disabled.name
        profiles.plugins.reserve.disabled.weight profiles.plugins.permit profiles.plugins.permit.enabled
        profiles.plugins.permit.enabled.name profiles.plugins.permit.enabled.weight
        profiles.plugins.permit.disabled profiles.plugins.permit.disabled.name
        profiles.plugins.permit.disabled.weight profiles.plugins.preBind profiles.plugins.preBind.enabled
        profiles.plugins.preBind.enabled.name profiles.plugins.preBind.enabled.weight
        profiles.plugins.preBind.disabled profiles.plugins.preBind.disabled.name
        profiles.plugins.preBind.disabled.weight profiles.plugins.bind profiles.plugins.bind.enabled
        profiles.plugins.bind.enabled.name profiles.plugins.bind.enabled.weight profiles.plugins.bind.disabled
        profiles.plugins.bind.disabled.name profiles.plugins.bind.disabled.weight profiles.plugins.postBind
        profiles.plugins.postBind.enabled profiles.plugins.postBind.enabled.name
        profiles.plugins.postBind.enabled.weight profiles.plugins.postBind.disabled
        profiles.plugins.postBind.disabled.name profiles.plugins.postBind.disabled.weight
        profiles.plugins.multiPoint profiles.plugins.multiPoint.enabled profiles.plugins.multiPoint.enabled.name
        profiles.plugins.multiPoint.enabled.weight profiles.plugins.multiPoint.disabled
        profiles.plugins.multiPoint.disabled.name profiles.plugins.multiPoint.disabled.weight
        profiles.pluginConfig profiles.pluginConfig.name profiles.pluginConfig.args{} extenders
        extenders.urlPrefix extenders.filterVerb extenders.preemptVerb extenders.prioritizeVerb extenders.weight
        extenders.bindVerb extenders.enableHTTPS extenders.tlsConfig extenders.tlsConfig.insecure
        extenders.tlsConfig.serverName extenders.tlsConfig.certFile extenders.tlsConfig.keyFile
        extenders.tlsConfig.caFile extenders.tlsConfig.certData extenders.tlsConfig.keyData
        extenders.tlsConfig.caData extenders.httpTimeout extenders.nodeCacheCapable extenders.managedResources
        extenders.managedResources.name extenders.managedResources.ignoredByScheduler extenders.ignorable
        delayCacheUntilActive
        """)

    /// 1.31 (kubernetes-1.31.14 = 1.31.0): the same fields as 1.30.
    static let scheduler131 = scheduler130

    /// 1.32 (kubernetes-1.32.13 = 1.32.0): the same fields as 1.31.
    static let scheduler132 = scheduler131

    /// 1.33 (kubernetes-1.33.13 = 1.33.0): the same fields as 1.32.
    static let scheduler133 = scheduler132

    /// 1.34 (kubernetes-1.34.10 = 1.34.0): the same fields as 1.33.
    static let scheduler134 = scheduler133

    /// 1.35 (kubernetes-1.35.7 = 1.35.0): the same fields as 1.34.
    static let scheduler135 = scheduler134

    /// 1.36 (kubernetes-1.36.3 = 1.36.0): 1.35's fields and 14 more.
    static let scheduler136 = scheduler135.adding("""
        profiles.plugins.placementGenerate profiles.plugins.placementGenerate.enabled
        profiles.plugins.placementGenerate.enabled.name profiles.plugins.placementGenerate.enabled.weight
        profiles.plugins.placementGenerate.disabled profiles.plugins.placementGenerate.disabled.name
        profiles.plugins.placementGenerate.disabled.weight profiles.plugins.placementScore
        profiles.plugins.placementScore.enabled profiles.plugins.placementScore.enabled.name
        profiles.plugins.placementScore.enabled.weight profiles.plugins.placementScore.disabled
        profiles.plugins.placementScore.disabled.name profiles.plugins.placementScore.disabled.weight
        """)

    /// 1.37 (kubernetes-1.37.0-beta.0): 1.36's fields and 7 more.
    static let scheduler137 = scheduler136.adding("""
        profiles.plugins.podGroupPostFilter profiles.plugins.podGroupPostFilter.enabled
        profiles.plugins.podGroupPostFilter.enabled.name profiles.plugins.podGroupPostFilter.enabled.weight
        profiles.plugins.podGroupPostFilter.disabled profiles.plugins.podGroupPostFilter.disabled.name
        profiles.plugins.podGroupPostFilter.disabled.weight
        """)
}

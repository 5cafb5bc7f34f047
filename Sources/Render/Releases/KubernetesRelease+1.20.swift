// v1.20, read from the --help of the binaries hardway builds from Debian's source.
extension KubernetesRelease {
    /// 1.20: the release Debian 12's source package holds (what the lab runs). Its kubelet takes the
    /// runtime endpoint as flags, and its control plane serves plain HTTP unless told not to (the
    /// scheduler then runs from flags: with a configuration file it cannot be told). Images as v1.20's kubeadm names them (pause 3.2,
    /// CoreDNS 1.7.0), at registry.k8s.io where k8s.gcr.io's images now live.
    static let v1_20 = KubernetesRelease(
        minor: "1.20",
        flags: [.kubeAPIServer: apiServer120, .kubeControllerManager: controllerManager120, .kubeScheduler: scheduler120,
                .kubelet: kubelet120, .kubeProxy: kubeProxy120],
        coreDNSImage: "registry.k8s.io/coredns:1.7.0", pauseImage: "registry.k8s.io/pause:3.2",
        runtimeEndpointIsAFlag: true,
        servesInsecurePortsByDefault: true, kubeletConfigHasRegisterNode: false, hiddenFlags: [.kubeAPIServer: ["insecure-port"]])

    static let apiServer120 = words("""
        add-dir-header admission-control admission-control-config-file advertise-address allow-privileged
        alsologtostderr anonymous-auth api-audiences apiserver-count audit-log-batch-buffer-size
        audit-log-batch-max-size audit-log-batch-max-wait audit-log-batch-throttle-burst
        audit-log-batch-throttle-enable audit-log-batch-throttle-qps audit-log-compress audit-log-format
        audit-log-maxage audit-log-maxbackup audit-log-maxsize audit-log-mode audit-log-path
        audit-log-truncate-enabled audit-log-truncate-max-batch-size audit-log-truncate-max-event-size
        audit-log-version audit-policy-file audit-webhook-batch-buffer-size audit-webhook-batch-max-size
        audit-webhook-batch-max-wait audit-webhook-batch-throttle-burst audit-webhook-batch-throttle-enable
        audit-webhook-batch-throttle-qps audit-webhook-config-file audit-webhook-initial-backoff audit-webhook-mode
        audit-webhook-truncate-enabled audit-webhook-truncate-max-batch-size audit-webhook-truncate-max-event-size
        audit-webhook-version authentication-token-webhook-cache-ttl authentication-token-webhook-config-file
        authentication-token-webhook-version authorization-mode authorization-policy-file
        authorization-webhook-cache-authorized-ttl authorization-webhook-cache-unauthorized-ttl
        authorization-webhook-config-file authorization-webhook-version bind-address cert-dir client-ca-file
        cloud-config cloud-provider cloud-provider-gce-l7lb-src-cidrs contention-profiling cors-allowed-origins
        default-not-ready-toleration-seconds default-unreachable-toleration-seconds default-watch-cache-size
        delete-collection-workers disable-admission-plugins egress-selector-config-file enable-admission-plugins
        enable-aggregator-routing enable-bootstrap-token-auth enable-garbage-collector enable-priority-and-fairness
        encryption-provider-config endpoint-reconciler-type etcd-cafile etcd-certfile etcd-compaction-interval
        etcd-count-metric-poll-period etcd-db-metric-poll-interval etcd-healthcheck-timeout etcd-keyfile etcd-prefix
        etcd-servers etcd-servers-overrides event-ttl experimental-logging-sanitization external-hostname
        feature-gates goaway-chance help http2-max-streams-per-connection identity-lease-duration-seconds
        identity-lease-renew-interval-seconds kubelet-certificate-authority kubelet-client-certificate
        kubelet-client-key kubelet-preferred-address-types kubelet-timeout kubernetes-service-node-port
        livez-grace-period log-backtrace-at log-dir log-file log-file-max-size log-flush-frequency logging-format
        logtostderr master-service-namespace max-connection-bytes-per-sec max-mutating-requests-inflight
        max-requests-inflight min-request-timeout oidc-ca-file oidc-client-id oidc-groups-claim oidc-groups-prefix
        oidc-issuer-url oidc-required-claim oidc-signing-algs oidc-username-claim oidc-username-prefix one-output
        permit-port-sharing profiling proxy-client-cert-file proxy-client-key-file request-timeout
        requestheader-allowed-names requestheader-client-ca-file requestheader-extra-headers-prefix
        requestheader-group-headers requestheader-username-headers runtime-config secure-port
        service-account-extend-token-expiration service-account-issuer service-account-jwks-uri
        service-account-key-file service-account-lookup service-account-max-token-expiration
        service-account-signing-key-file service-cluster-ip-range service-node-port-range
        show-hidden-metrics-for-version shutdown-delay-duration skip-headers skip-log-headers stderrthreshold
        storage-backend storage-media-type tls-cert-file tls-cipher-suites tls-min-version tls-private-key-file
        tls-sni-cert-key token-auth-file v version vmodule watch-cache watch-cache-sizes
        """)

    static let controllerManager120 = words("""
        add-dir-header address allocate-node-cidrs alsologtostderr attach-detach-reconcile-sync-period
        authentication-kubeconfig authentication-skip-lookup authentication-token-webhook-cache-ttl
        authentication-tolerate-lookup-failure authorization-always-allow-paths authorization-kubeconfig
        authorization-webhook-cache-authorized-ttl authorization-webhook-cache-unauthorized-ttl bind-address cert-dir
        cidr-allocator-type client-ca-file cloud-config cloud-provider cluster-cidr cluster-name
        cluster-signing-cert-file cluster-signing-duration cluster-signing-key-file
        cluster-signing-kube-apiserver-client-cert-file cluster-signing-kube-apiserver-client-key-file
        cluster-signing-kubelet-client-cert-file cluster-signing-kubelet-client-key-file
        cluster-signing-kubelet-serving-cert-file cluster-signing-kubelet-serving-key-file
        cluster-signing-legacy-unknown-cert-file cluster-signing-legacy-unknown-key-file concurrent
        concurrent-deployment-syncs concurrent-endpoint-syncs concurrent-gc-syncs concurrent-namespace-syncs
        concurrent-replicaset-syncs concurrent-resource-quota-syncs concurrent-service-endpoint-syncs
        concurrent-service-syncs concurrent-serviceaccount-token-syncs concurrent-statefulset-syncs
        concurrent-ttl-after-finished-syncs configure-cloud-routes contention-profiling controller-start-interval
        controllers deployment-controller-sync-period disable-attach-detach-reconcile-sync
        enable-dynamic-provisioning enable-garbage-collector enable-hostpath-provisioner enable-taint-manager
        endpoint-updates-batch-period endpointslice-updates-batch-period experimental-logging-sanitization
        external-cloud-volume-plugin feature-gates flex-volume-plugin-dir help
        horizontal-pod-autoscaler-cpu-initialization-period horizontal-pod-autoscaler-downscale-stabilization
        horizontal-pod-autoscaler-initial-readiness-delay horizontal-pod-autoscaler-sync-period
        horizontal-pod-autoscaler-tolerance http2-max-streams-per-connection kube-api-burst kube-api-content-type
        kube-api-qps kubeconfig large-cluster-size-threshold leader-elect leader-elect-lease-duration
        leader-elect-renew-deadline leader-elect-resource-lock leader-elect-resource-name
        leader-elect-resource-namespace leader-elect-retry-period log-backtrace-at log-dir log-file log-file-max-size
        log-flush-frequency logging-format logtostderr master max-endpoints-per-slice min-resync-period
        mirroring-concurrent-service-endpoint-syncs mirroring-endpointslice-updates-batch-period
        mirroring-max-endpoints-per-subset namespace-sync-period node-cidr-mask-size node-cidr-mask-size-ipv4
        node-cidr-mask-size-ipv6 node-eviction-rate node-monitor-grace-period node-monitor-period
        node-startup-grace-period one-output permit-port-sharing pod-eviction-timeout port profiling
        pv-recycler-increment-timeout-nfs pv-recycler-minimum-timeout-hostpath pv-recycler-minimum-timeout-nfs
        pv-recycler-pod-template-filepath-hostpath pv-recycler-pod-template-filepath-nfs
        pv-recycler-timeout-increment-hostpath pvclaimbinder-sync-period requestheader-allowed-names
        requestheader-client-ca-file requestheader-extra-headers-prefix requestheader-group-headers
        requestheader-username-headers resource-quota-sync-period root-ca-file route-reconciliation-period
        secondary-node-eviction-rate secure-port service-account-private-key-file service-cluster-ip-range
        show-hidden-metrics-for-version skip-headers skip-log-headers stderrthreshold terminated-pod-gc-threshold
        tls-cert-file tls-cipher-suites tls-min-version tls-private-key-file tls-sni-cert-key
        unhealthy-zone-threshold use-service-account-credentials v version vmodule volume-host-allow-local-loopback
        volume-host-cidr-denylist
        """)

    static let scheduler120 = words("""
        add-dir-header address algorithm-provider alsologtostderr authentication-kubeconfig
        authentication-skip-lookup authentication-token-webhook-cache-ttl authentication-tolerate-lookup-failure
        authorization-always-allow-paths authorization-kubeconfig authorization-webhook-cache-authorized-ttl
        authorization-webhook-cache-unauthorized-ttl bind-address cert-dir client-ca-file config contention-profiling
        experimental-logging-sanitization feature-gates hard-pod-affinity-symmetric-weight help
        http2-max-streams-per-connection kube-api-burst kube-api-content-type kube-api-qps kubeconfig leader-elect
        leader-elect-lease-duration leader-elect-renew-deadline leader-elect-resource-lock leader-elect-resource-name
        leader-elect-resource-namespace leader-elect-retry-period lock-object-name lock-object-namespace
        log-backtrace-at log-dir log-file log-file-max-size log-flush-frequency logging-format logtostderr master
        one-output permit-port-sharing policy-config-file policy-configmap policy-configmap-namespace port profiling
        requestheader-allowed-names requestheader-client-ca-file requestheader-extra-headers-prefix
        requestheader-group-headers requestheader-username-headers scheduler-name secure-port
        show-hidden-metrics-for-version skip-headers skip-log-headers stderrthreshold tls-cert-file tls-cipher-suites
        tls-min-version tls-private-key-file tls-sni-cert-key use-legacy-policy-config v version vmodule
        write-config-to
        """)

    static let kubelet120 = words("""
        add-dir-header address allowed-unsafe-sysctls alsologtostderr anonymous-auth application-metrics-count-limit
        authentication-token-webhook authentication-token-webhook-cache-ttl authorization-mode
        authorization-webhook-cache-authorized-ttl authorization-webhook-cache-unauthorized-ttl
        azure-container-registry-config boot-id-file bootstrap-kubeconfig cert-dir cgroup-driver cgroup-root
        cgroups-per-qos chaos-chance client-ca-file cloud-config cloud-provider cluster-dns cluster-domain
        cni-bin-dir cni-cache-dir cni-conf-dir config container-hints container-log-max-files container-log-max-size
        container-runtime container-runtime-endpoint containerd containerd-namespace contention-profiling
        cpu-cfs-quota cpu-cfs-quota-period cpu-manager-policy cpu-manager-reconcile-period docker docker-endpoint
        docker-env-metadata-whitelist docker-only docker-root docker-tls docker-tls-ca docker-tls-cert docker-tls-key
        dynamic-config-dir enable-cadvisor-json-endpoints enable-controller-attach-detach enable-debugging-handlers
        enable-load-reader enable-server enforce-node-allocatable event-burst event-qps event-storage-age-limit
        event-storage-event-limit eviction-hard eviction-max-pod-grace-period eviction-minimum-reclaim
        eviction-pressure-transition-period eviction-soft eviction-soft-grace-period exit-on-lock-contention
        experimental-allocatable-ignore-eviction experimental-bootstrap-kubeconfig
        experimental-check-node-capabilities-before-mount experimental-kernel-memcg-notification
        experimental-logging-sanitization experimental-mounter-path fail-swap-on feature-gates file-check-frequency
        global-housekeeping-interval hairpin-mode healthz-bind-address healthz-port help hostname-override
        housekeeping-interval http-check-frequency image-credential-provider-bin-dir image-credential-provider-config
        image-gc-high-threshold image-gc-low-threshold image-pull-progress-deadline image-service-endpoint
        iptables-drop-bit iptables-masquerade-bit keep-terminated-pod-volumes kernel-memcg-notification
        kube-api-burst kube-api-content-type kube-api-qps kube-reserved kube-reserved-cgroup kubeconfig
        kubelet-cgroups lock-file log-backtrace-at log-cadvisor-usage log-dir log-file log-file-max-size
        log-flush-frequency logging-format logtostderr machine-id-file make-iptables-util-chains manifest-url
        manifest-url-header master-service-namespace max-open-files max-pods maximum-dead-containers
        maximum-dead-containers-per-container minimum-container-ttl-duration minimum-image-ttl-duration
        network-plugin network-plugin-mtu node-ip node-labels node-status-max-images node-status-update-frequency
        non-masquerade-cidr one-output oom-score-adj pod-cidr pod-infra-container-image pod-manifest-path
        pod-max-pids pods-per-core port protect-kernel-defaults provider-id qos-reserved read-only-port
        really-crash-for-testing redirect-container-streaming register-node register-schedulable register-with-taints
        registry-burst registry-qps reserved-cpus resolv-conf root-dir rotate-certificates rotate-server-certificates
        runonce runtime-cgroups runtime-request-timeout seccomp-profile-root serialize-image-pulls skip-headers
        skip-log-headers stderrthreshold storage-driver-buffer-duration storage-driver-db storage-driver-host
        storage-driver-password storage-driver-secure storage-driver-table storage-driver-user
        streaming-connection-idle-timeout sync-frequency system-cgroups system-reserved system-reserved-cgroup
        tls-cert-file tls-cipher-suites tls-min-version tls-private-key-file topology-manager-policy
        topology-manager-scope v version vmodule volume-plugin-dir volume-stats-agg-period
        """)

    static let kubeProxy120 = words("""
        add-dir-header alsologtostderr bind-address bind-address-hard-fail cleanup cluster-cidr config
        config-sync-period conntrack-max-per-core conntrack-min conntrack-tcp-timeout-close-wait
        conntrack-tcp-timeout-established detect-local-mode feature-gates healthz-bind-address help hostname-override
        iptables-masquerade-bit iptables-min-sync-period iptables-sync-period ipvs-exclude-cidrs ipvs-min-sync-period
        ipvs-scheduler ipvs-strict-arp ipvs-sync-period ipvs-tcp-timeout ipvs-tcpfin-timeout ipvs-udp-timeout
        kube-api-burst kube-api-content-type kube-api-qps kubeconfig log-backtrace-at log-dir log-file
        log-file-max-size log-flush-frequency logtostderr masquerade-all master metrics-bind-address
        nodeport-addresses one-output oom-score-adj profiling proxy-mode proxy-port-range
        show-hidden-metrics-for-version skip-headers skip-log-headers stderrthreshold udp-timeout v version vmodule
        write-config-to
        """)
}

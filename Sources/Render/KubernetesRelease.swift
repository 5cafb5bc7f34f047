/// What hardway knows about a Kubernetes minor release: the command-line flags of each component
/// (transcribed from the release's command-line tools reference, kubernetes.io/docs/reference/
/// command-line-tools-reference/, as of that minor) and the images the cluster manifests pin.
/// A renderer may only use a flag that is listed here for the pinned version; a test checks it.
public struct KubernetesRelease: Sendable {
    public enum Component: String, Sendable, CaseIterable {
        case kubeAPIServer = "kube-apiserver"
        case kubeControllerManager = "kube-controller-manager"
        case kubeScheduler = "kube-scheduler"
        case kubelet
        case kubeProxy = "kube-proxy"
    }

    /// `1.31`
    public var minor: String
    public var flags: [Component: Set<String>]
    public var coreDNSImage: String
    public var pauseImage: String
    /// Before 1.24 the kubelet's configuration file had no `containerRuntimeEndpoint`: the kubelet
    /// took `--container-runtime=remote --container-runtime-endpoint=…` as flags.
    public var runtimeEndpointIsAFlag = false
    /// Before 1.24 (apiserver) and 1.23 (controller manager, scheduler) each served plain,
    /// unauthenticated HTTP by default (127.0.0.1:8080; 0.0.0.0:10252 and :10251): `--insecure-port=0`
    /// and `--port=0` switch it off, as kubeadm did.
    public var servesInsecurePortsByDefault = false
    /// `registerNode` in the kubelet's configuration file (1.24 on); before, only `--register-node`.
    public var kubeletConfigHasRegisterNode = true
    /// Flags the release accepts but hides from `--help` (deprecated), that hardway renders on purpose.
    public var hiddenFlags: [Component: Set<String>] = [:]

    public static let supported: [KubernetesRelease] = [v1_20, v1_30, v1_31, v1_32]

    /// The release for `v1.31.4`, or an error naming the supported ones.
    public static func forVersion(_ version: String) throws -> KubernetesRelease {
        let digits = version.hasPrefix("v") ? String(version.dropFirst()) : version
        let parts = digits.split(separator: ".")
        let minor = parts.prefix(2).joined(separator: ".")
        guard parts.count >= 2, let release = supported.first(where: { $0.minor == minor }) else {
            throw RenderError("kubernetesVersion \(version) is not one hardway has flags for",
                              fix: "set kubernetesVersion to a release of \(supported.map { "v\($0.minor)" }.joined(separator: ", "))")
        }
        return release
    }

    /// Flags the older tutorials pass that the current releases no longer have: rendered only for a
    /// release that still takes them (1.20's kubelet needs `--container-runtime=remote`, and its API
    /// server `--insecure-port=0` to close the plain port), never for one that does not.
    public static let removedFlags: Set<String> = [
        "insecure-port", "insecure-bind-address", "admission-control", "kubelet-https", "basic-auth-file",
        "repair-malformed-updates", "enable-swagger-ui", "runtime-cgroups-per-qos", "container-runtime",
        "network-plugin", "cni-bin-dir", "cni-conf-dir", "experimental-encryption-provider-config", "apiserver-count",
    ]

    /// Every flag the release takes for a component: those of its `--help`, and the hidden ones.
    public func accepts(_ flag: String, _ component: Component) -> Bool {
        flags[component]?.contains(flag) == true || hiddenFlags[component]?.contains(flag) == true
    }

    // MARK: flag sets

    static let logging = words("""
        help log-flush-frequency log-json-info-buffer-size log-json-split-stream log-text-info-buffer-size
        log-text-split-stream logging-format v version vmodule
        """)

    static let servingAndDelegation = words("""
        authentication-kubeconfig authentication-skip-lookup authentication-token-webhook-cache-ttl
        authentication-tolerate-lookup-failure authorization-always-allow-paths authorization-kubeconfig
        authorization-webhook-cache-authorized-ttl authorization-webhook-cache-unauthorized-ttl bind-address cert-dir
        client-ca-file contention-profiling http2-max-streams-per-connection permit-address-sharing permit-port-sharing
        profiling requestheader-allowed-names requestheader-client-ca-file requestheader-extra-headers-prefix
        requestheader-group-headers requestheader-username-headers secure-port show-hidden-metrics-for-version
        tls-cert-file tls-cipher-suites tls-min-version tls-private-key-file tls-sni-cert-key allow-metric-labels
        allow-metric-labels-manifest disabled-metrics feature-gates kube-api-burst kube-api-content-type kube-api-qps
        kubeconfig master
        """)

    static let leaderElection = words("""
        leader-elect leader-elect-lease-duration leader-elect-renew-deadline leader-elect-resource-lock
        leader-elect-resource-name leader-elect-resource-namespace leader-elect-retry-period
        """)

    static let apiServer131 = logging.union(words("""
        admission-control-config-file advertise-address aggregator-reject-forwarding-redirect allow-metric-labels
        allow-metric-labels-manifest allow-privileged anonymous-auth api-audiences audit-log-batch-buffer-size
        audit-log-batch-max-size audit-log-batch-max-wait audit-log-batch-throttle-burst audit-log-batch-throttle-enable
        audit-log-batch-throttle-qps audit-log-compress audit-log-format audit-log-maxage audit-log-maxbackup
        audit-log-maxsize audit-log-mode audit-log-path audit-log-truncate-enabled audit-log-truncate-max-batch-size
        audit-log-truncate-max-event-size audit-log-version audit-policy-file audit-webhook-batch-buffer-size
        audit-webhook-batch-max-size audit-webhook-batch-max-wait audit-webhook-batch-throttle-burst
        audit-webhook-batch-throttle-enable audit-webhook-batch-throttle-qps audit-webhook-config-file
        audit-webhook-initial-backoff audit-webhook-mode audit-webhook-truncate-enabled
        audit-webhook-truncate-max-batch-size audit-webhook-truncate-max-event-size audit-webhook-version
        authentication-config authentication-token-webhook-cache-ttl authentication-token-webhook-config-file
        authentication-token-webhook-version authorization-config authorization-mode authorization-policy-file
        authorization-webhook-cache-authorized-ttl authorization-webhook-cache-unauthorized-ttl
        authorization-webhook-config-file authorization-webhook-version bind-address cert-dir client-ca-file
        cloud-config cloud-provider contention-profiling cors-allowed-origins debug-socket-path
        default-not-ready-toleration-seconds default-unreachable-toleration-seconds delete-collection-workers
        disable-admission-plugins disable-http2-serving disabled-metrics egress-selector-config-file emulated-version
        enable-admission-plugins enable-aggregator-routing enable-garbage-collector enable-priority-and-fairness
        encryption-provider-config encryption-provider-config-automatic-reload endpoint-reconciler-type etcd-cafile
        etcd-certfile etcd-compaction-interval etcd-count-metric-poll-period etcd-db-metric-poll-interval
        etcd-healthcheck-timeout etcd-keyfile etcd-prefix etcd-readycheck-timeout etcd-servers etcd-servers-overrides
        event-ttl external-hostname feature-gates goaway-chance http2-max-streams-per-connection
        kubelet-certificate-authority kubelet-client-certificate kubelet-client-key kubelet-preferred-address-types
        kubelet-timeout kubernetes-service-node-port lease-reuse-duration-seconds livez-grace-period
        max-connection-bytes-per-sec max-mutating-requests-inflight max-requests-inflight min-request-timeout
        oidc-ca-file oidc-client-id oidc-groups-claim oidc-groups-prefix oidc-issuer-url oidc-required-claim
        oidc-signing-algs oidc-username-claim oidc-username-prefix peer-advertise-ip peer-advertise-port peer-ca-file
        permit-address-sharing permit-port-sharing profiling proxy-client-cert-file proxy-client-key-file
        request-timeout requestheader-allowed-names requestheader-client-ca-file requestheader-extra-headers-prefix
        requestheader-group-headers requestheader-username-headers runtime-config secure-port
        service-account-extend-token-expiration service-account-issuer service-account-jwks-uri
        service-account-key-file service-account-lookup service-account-max-token-expiration
        service-account-signing-key-file service-cluster-ip-range service-node-port-range
        show-hidden-metrics-for-version shutdown-delay-duration shutdown-send-retry-after
        shutdown-watch-termination-grace-period storage-backend storage-initialization-timeout storage-media-type
        strict-transport-security-directives tls-cert-file tls-cipher-suites tls-min-version tls-private-key-file
        tls-sni-cert-key token-auth-file tracing-config-file watch-cache watch-cache-sizes
        """))

    static let controllerManager131 = logging.union(servingAndDelegation).union(leaderElection).union(words("""
        allocate-node-cidrs attach-detach-reconcile-sync-period cidr-allocator-type cloud-config cloud-provider
        cluster-cidr cluster-name cluster-signing-cert-file cluster-signing-duration cluster-signing-key-file
        cluster-signing-kube-apiserver-client-cert-file cluster-signing-kube-apiserver-client-key-file
        cluster-signing-kubelet-client-cert-file cluster-signing-kubelet-client-key-file
        cluster-signing-kubelet-serving-cert-file cluster-signing-kubelet-serving-key-file
        cluster-signing-legacy-unknown-cert-file cluster-signing-legacy-unknown-key-file concurrent-cron-job-syncs
        concurrent-deployment-syncs concurrent-endpoint-syncs concurrent-ephemeralvolume-syncs concurrent-gc-syncs
        concurrent-horizontal-pod-autoscaler-syncs concurrent-job-syncs concurrent-namespace-syncs concurrent-rc-syncs
        concurrent-replicaset-syncs concurrent-resource-quota-syncs concurrent-service-endpoint-syncs
        concurrent-service-syncs concurrent-serviceaccount-token-syncs concurrent-statefulset-syncs
        concurrent-ttl-after-finished-syncs concurrent-validating-admission-policy-status-syncs configure-cloud-routes
        controller-start-interval controllers disable-attach-detach-reconcile-sync disable-force-detach-on-timeout
        enable-dynamic-provisioning enable-garbage-collector enable-hostpath-provisioner enable-leader-migration
        endpoint-updates-batch-period endpointslice-updates-batch-period external-cloud-volume-plugin
        flex-volume-plugin-dir horizontal-pod-autoscaler-cpu-initialization-period
        horizontal-pod-autoscaler-downscale-stabilization horizontal-pod-autoscaler-initial-readiness-delay
        horizontal-pod-autoscaler-sync-period horizontal-pod-autoscaler-tolerance large-cluster-size-threshold
        leader-migration-config legacy-service-account-token-clean-up-period max-endpoints-per-slice
        min-resync-period mirroring-concurrent-service-endpoint-syncs mirroring-endpointslice-updates-batch-period
        mirroring-max-endpoints-per-subset namespace-sync-period node-cidr-mask-size node-cidr-mask-size-ipv4
        node-cidr-mask-size-ipv6 node-eviction-rate node-monitor-grace-period node-monitor-period
        node-startup-grace-period pv-recycler-increment-timeout-nfs pv-recycler-minimum-timeout-hostpath
        pv-recycler-minimum-timeout-nfs pv-recycler-pod-template-filepath-hostpath
        pv-recycler-pod-template-filepath-nfs pv-recycler-timeout-increment-hostpath pvclaimbinder-sync-period
        resource-quota-sync-period root-ca-file route-reconciliation-period secondary-node-eviction-rate
        service-account-private-key-file service-cluster-ip-range terminated-pod-gc-threshold unhealthy-zone-threshold
        use-service-account-credentials
        """))

    static let scheduler131 = logging.union(servingAndDelegation).union(leaderElection).union(words("""
        config pod-max-in-unschedulable-pods-duration write-config-to
        """))

    static let kubelet131 = logging.union(words("""
        address allowed-unsafe-sysctls anonymous-auth authentication-token-webhook authentication-token-webhook-cache-ttl
        authorization-mode authorization-webhook-cache-authorized-ttl authorization-webhook-cache-unauthorized-ttl
        boot-id-file bootstrap-kubeconfig cert-dir cgroup-driver cgroup-root cgroups-per-qos client-ca-file cloud-config
        cloud-provider cluster-dns cluster-domain config config-dir container-log-max-files container-log-max-size
        container-runtime-endpoint contention-profiling cpu-cfs-quota cpu-cfs-quota-period cpu-manager-policy
        cpu-manager-policy-options cpu-manager-reconcile-period enable-controller-attach-detach enable-debugging-handlers
        enable-server enforce-node-allocatable event-burst event-qps eviction-hard eviction-max-pod-grace-period
        eviction-minimum-reclaim eviction-pressure-transition-period eviction-soft eviction-soft-grace-period
        exit-on-lock-contention experimental-allocatable-ignore-eviction experimental-mounter-path fail-swap-on
        feature-gates file-check-frequency hairpin-mode healthz-bind-address healthz-port hostname-override
        http-check-frequency image-credential-provider-bin-dir image-credential-provider-config image-gc-high-threshold
        image-gc-low-threshold image-service-endpoint kernel-memcg-notification kube-api-burst kube-api-content-type
        kube-api-qps kube-reserved kube-reserved-cgroup kubeconfig kubelet-cgroups local-storage-capacity-isolation
        lock-file make-iptables-util-chains manifest-url manifest-url-header max-open-files max-pods
        maximum-dead-containers maximum-dead-containers-per-container memory-manager-policy
        minimum-container-ttl-duration minimum-image-ttl-duration node-ip node-labels node-status-max-images
        node-status-update-frequency oom-score-adj pod-cidr pod-infra-container-image pod-manifest-path pod-max-pids
        pods-per-core port protect-kernel-defaults provider-id qos-reserved read-only-port register-node
        register-schedulable register-with-taints registry-burst registry-qps reserved-cpus reserved-memory resolv-conf
        root-dir rotate-certificates rotate-server-certificates runonce runtime-cgroups runtime-request-timeout
        seccomp-default serialize-image-pulls streaming-connection-idle-timeout sync-frequency system-cgroups
        system-reserved system-reserved-cgroup tls-cert-file tls-cipher-suites tls-min-version tls-private-key-file
        topology-manager-policy topology-manager-policy-options topology-manager-scope volume-plugin-dir
        volume-stats-agg-period
        """))

    static let kubeProxy131 = logging.union(words("""
        bind-address bind-address-hard-fail boot-id-file cleanup cluster-cidr config config-sync-period
        conntrack-max-per-core conntrack-min conntrack-tcp-be-liberal conntrack-tcp-timeout-close-wait
        conntrack-tcp-timeout-established conntrack-udp-timeout conntrack-udp-timeout-stream detect-local-mode
        feature-gates healthz-bind-address hostname-override init-only iptables-localhost-nodeports
        iptables-masquerade-bit iptables-min-sync-period iptables-sync-period ipvs-exclude-cidrs ipvs-min-sync-period
        ipvs-scheduler ipvs-strict-arp ipvs-sync-period ipvs-tcp-timeout ipvs-tcpfin-timeout ipvs-udp-timeout
        kube-api-burst kube-api-content-type kube-api-qps kubeconfig masquerade-all master metrics-bind-address
        nodeport-addresses oom-score-adj pod-bridge-interface pod-interface-name-prefix profiling proxy-mode
        proxy-port-range show-hidden-metrics-for-version write-config-to
        """))

    static let v1_31 = KubernetesRelease(
        minor: "1.31",
        flags: [.kubeAPIServer: apiServer131, .kubeControllerManager: controllerManager131, .kubeScheduler: scheduler131,
                .kubelet: kubelet131, .kubeProxy: kubeProxy131],
        coreDNSImage: "registry.k8s.io/coredns/coredns:v1.11.3", pauseImage: "registry.k8s.io/pause:3.10")

    /// 1.30: no compatibility versions yet (`--emulated-version` came in 1.31); the kubelet still had
    /// `--keep-terminated-pod-volumes`.
    static let v1_30 = KubernetesRelease(
        minor: "1.30",
        flags: [.kubeAPIServer: apiServer131.subtracting(["emulated-version"]), .kubeControllerManager: controllerManager131,
                .kubeScheduler: scheduler131, .kubelet: kubelet131.union(["keep-terminated-pod-volumes"]), .kubeProxy: kubeProxy131],
        coreDNSImage: "registry.k8s.io/coredns/coredns:v1.11.1", pauseImage: "registry.k8s.io/pause:3.9")

    /// 1.32: the control-plane components all take `--emulated-version`.
    static let v1_32 = KubernetesRelease(
        minor: "1.32",
        flags: [.kubeAPIServer: apiServer131, .kubeControllerManager: controllerManager131.union(["emulated-version"]),
                .kubeScheduler: scheduler131.union(["emulated-version"]), .kubelet: kubelet131, .kubeProxy: kubeProxy131],
        coreDNSImage: "registry.k8s.io/coredns/coredns:v1.11.3", pauseImage: "registry.k8s.io/pause:3.10")

    // MARK: v1.20, read from the --help of the binaries hardway builds from Debian's source

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

    static func words(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    }
}

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
    /// Flags the release accepts but marks deprecated or hides from `--help` (1.20–1.32: the ones hardway
    /// renders on purpose; 1.33 on: every such flag the research found, research/r1/flags-1.3x.txt).
    public var hiddenFlags: [Component: Set<String>] = [:]

    public static let supported: [KubernetesRelease] = [v1_20, v1_30, v1_31, v1_32, v1_33, v1_34, v1_35, v1_36, v1_37]

    /// The release for `v1.31.4`, or an error naming the supported ones.
    public static func forVersion(_ version: String) throws -> KubernetesRelease {
        let digits = version.hasPrefix("v") ? String(version.dropFirst()) : version
        let parts = digits.split(separator: ".")
        let minor = parts.prefix(2).joined(separator: ".")
        guard parts.count >= 2, let release = supported.first(where: { $0.minor == minor }) else {
            throw RenderError(.unsupportedVersion, "kubernetesVersion \(version) is not one hardway has flags for",
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

    // MARK: flag sets the releases share (each release's own: Releases/KubernetesRelease+<minor>.swift)

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

    static func words(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    }
}

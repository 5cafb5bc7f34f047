import ClusterModel
import PKI

/// kube-apiserver, kube-controller-manager and kube-scheduler on one controller: units, the config
/// files they read, and the certificates and kubeconfigs they use. The CA key lands here and only
/// here, because the controller manager signs with it.
enum ControlPlaneRenderer {
    static let apiServer = "kube-apiserver"
    static let controllerManager = "kube-controller-manager"
    static let scheduler = "kube-scheduler"

    static let encryptionConfig = EncryptionConfigRenderer.path
    static let auditPolicy = NodePaths.kubernetes("audit-policy.yaml")
    static let schedulerConfig = "\(NodePaths.kubernetesConfig)/kube-scheduler.yaml"
    static let controllerManagerKubeconfig = NodePaths.kubernetes("kube-controller-manager.kubeconfig")
    static let schedulerKubeconfig = NodePaths.kubernetes("kube-scheduler.kubeconfig")

    static func apiServerCommand(_ context: ClusterContext, controller: Machine) -> UnitCommand {
        let cluster = context.cluster
        let cert = NodePaths.certificate, key = NodePaths.key
        var command = UnitCommand("\(NodePaths.binaries)/kube-apiserver", [
            ("advertise-address", controller.address.description),
            ("allow-privileged", "true"),
            ("audit-log-maxage", "30"),
            ("audit-log-maxbackup", "3"),
            ("audit-log-maxsize", "100"),
            ("audit-log-path", NodePaths.auditLog),
            ("audit-policy-file", auditPolicy),
            ("authorization-mode", "Node,RBAC"),
            ("bind-address", "0.0.0.0"),
            ("client-ca-file", cert("ca")),
            ("enable-admission-plugins", "NodeRestriction"),
            ("enable-aggregator-routing", "true"),
            ("encryption-provider-config", encryptionConfig),
            ("etcd-cafile", cert(ClusterCertificates.etcdCAName)),
            ("etcd-certfile", cert("kube-apiserver-etcd-client")),
            ("etcd-keyfile", key("kube-apiserver-etcd-client")),
            ("etcd-servers", cluster.etcdClientURLs.joined(separator: ",")),
            ("event-ttl", "1h"),
            ("kubelet-certificate-authority", cert("ca")),
            ("kubelet-client-certificate", cert("kube-apiserver-kubelet-client")),
            ("kubelet-client-key", key("kube-apiserver-kubelet-client")),
            ("kubelet-preferred-address-types", "InternalIP,Hostname"),
            ("proxy-client-cert-file", cert("front-proxy-client")),
            ("proxy-client-key-file", key("front-proxy-client")),
            ("requestheader-allowed-names", "front-proxy-client"),
            ("requestheader-client-ca-file", cert(ClusterCertificates.frontProxyCAName)),
            ("requestheader-extra-headers-prefix", "X-Remote-Extra-"),
            ("requestheader-group-headers", "X-Remote-Group"),
            ("requestheader-username-headers", "X-Remote-User"),
            ("secure-port", String(ClusterResolver.apiServerSecurePort)),
            ("service-account-issuer", "https://kubernetes.default.svc.\(cluster.network.clusterDomain)"),
            ("service-account-key-file", cert("service-account")),
            ("service-account-signing-key-file", key("service-account")),
            ("service-cluster-ip-range", cluster.network.serviceCIDR.description),
            ("service-node-port-range", "30000-32767"),
            ("tls-cert-file", cert("kube-apiserver")),
            ("tls-private-key-file", key("kube-apiserver")),
            ("v", "2"),
        ])
        if context.release.servesInsecurePortsByDefault { command.insert(("insecure-port", "0")) }
        if let delay = apiServerShutdownDelaySeconds(cluster) { command.insert(("shutdown-delay-duration", "\(delay)s")) }
        return command
    }

    /// Behind HAProxy, a stopping API server fails its /readyz at once but goes on serving for this
    /// long, until HAProxy's checks have taken it out: a controller stopped without apply (a reboot,
    /// `drill controller`) then closes its port only once no new connection comes, instead of
    /// resetting one HAProxy had just passed on, which HAProxy cannot send elsewhere. nginx has no
    /// active checks to see /readyz, and an external balancer's checks are its own: there, nothing.
    static func apiServerShutdownDelaySeconds(_ cluster: Cluster) -> Int? {
        cluster.loadBalancer.kind == .haproxy ? Int(LoadBalancerRenderer.haproxyTakesOutSeconds.rounded(.up)) + 1 : nil
    }

    static func controllerManagerCommand(_ context: ClusterContext) -> UnitCommand {
        let cluster = context.cluster
        let cert = NodePaths.certificate, key = NodePaths.key
        var command = UnitCommand("\(NodePaths.binaries)/kube-controller-manager", [
            ("allocate-node-cidrs", "false"),
            ("authentication-kubeconfig", controllerManagerKubeconfig),
            ("authorization-kubeconfig", controllerManagerKubeconfig),
            ("bind-address", "127.0.0.1"),
            ("cluster-cidr", cluster.network.podCIDR.description),
            ("cluster-name", cluster.name),
            ("cluster-signing-cert-file", signingCertificate(context.pki)),
            ("cluster-signing-key-file", key("ca")),
            ("kubeconfig", controllerManagerKubeconfig),
            ("leader-elect", "true"),
            ("root-ca-file", cert("ca")),
            ("service-account-private-key-file", key("service-account")),
            ("service-cluster-ip-range", cluster.network.serviceCIDR.description),
            ("use-service-account-credentials", "true"),
            ("v", "2"),
        ])
        if context.release.servesInsecurePortsByDefault { command.insert(("port", "0")) }
        return command
    }

    /// Its secure port on loopback only, like the controller manager's: the API server does not call it.
    /// 1.20 serves plain healthz and metrics on 0.0.0.0:10251 whenever it reads a configuration file
    /// (it then ignores --port, and its configuration cannot say port 0), so there, as kubeadm did for
    /// 1.20, it runs from flags alone with `--port=0`.
    static func schedulerCommand(_ context: ClusterContext) -> UnitCommand {
        if context.release.servesInsecurePortsByDefault {
            return UnitCommand("\(NodePaths.binaries)/kube-scheduler", [
                ("authentication-kubeconfig", schedulerKubeconfig),
                ("authorization-kubeconfig", schedulerKubeconfig),
                ("bind-address", "127.0.0.1"),
                ("kubeconfig", schedulerKubeconfig),
                ("leader-elect", "true"),
                ("port", "0"),
                ("v", "2"),
            ])
        }
        return UnitCommand("\(NodePaths.binaries)/kube-scheduler", [
            ("authentication-kubeconfig", schedulerKubeconfig),
            ("authorization-kubeconfig", schedulerKubeconfig),
            ("bind-address", "127.0.0.1"),
            ("config", schedulerConfig),
            ("v", "2"),
        ])
    }

    static func schedulerConfiguration(_ release: KubernetesRelease) -> String {
        """
        apiVersion: kubescheduler.config.k8s.io/v1
        kind: KubeSchedulerConfiguration
        clientConnection:
          kubeconfig: \(schedulerKubeconfig)
        leaderElection:
          leaderElect: true

        """
    }

    /// Who did what, without ever logging a secret's value: secrets, config maps and token reviews
    /// at Metadata, health probes and kube-proxy's watches not at all, everything else at Metadata.
    static let auditPolicyDocument = """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages:
          - RequestReceived
        rules:
          - level: None
            nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version"]
          - level: None
            users: ["system:kube-proxy"]
            verbs: ["watch"]
          - level: Metadata
            resources:
              - group: ""
                resources: ["secrets", "configmaps"]
              - group: authentication.k8s.io
                resources: ["tokenreviews"]
          - level: Metadata

        """

    /// How long systemd lets kube-apiserver drain before it stops it (see add). Its in-flight short
    /// requests end in well under a second once the load balancer sends it no more; 5 s is measured
    /// by `hardway bench roll` (0 failed requests behind HAProxy and nginx at 5 s as at 15 s).
    static let apiServerStopSeconds = 5

    /// The controller manager's signer reads exactly one certificate: while ca.pem holds a second
    /// CA (a rotation), the signing one is written alone beside it.
    static func signingCertificate(_ pki: PKIMaterial) -> String {
        (pki.alsoTrusted["ca"] ?? "").isEmpty ? NodePaths.certificate("ca") : NodePaths.certificate("ca-signer")
    }

    static func add(_ context: ClusterContext, controller: Machine, kubeconfigs: [String: Kubeconfig], to files: inout FileSet) throws {
        let pki = context.pki
        let dir = NodePaths.kubernetesDir
        let all = [apiServer, controllerManager, scheduler]
        try files.add(NodePaths.certificate("ca"), try pki.trust("ca"), units: all)
        try files.add(NodePaths.key("ca"), mode: 0o600, try pki.key("ca"), units: [controllerManager])
        if signingCertificate(pki) != NodePaths.certificate("ca") {
            try files.add(signingCertificate(pki), try pki.certificate("ca"), units: [controllerManager])
        }
        for name in ["kube-apiserver", "kube-apiserver-kubelet-client", "kube-apiserver-etcd-client", "front-proxy-client"] {
            try files.addPair(name, from: pki, directory: dir, units: [apiServer])
        }
        try files.add(NodePaths.certificate(ClusterCertificates.frontProxyCAName), try pki.trust(ClusterCertificates.frontProxyCAName), units: [apiServer])
        try files.add(NodePaths.certificate(ClusterCertificates.etcdCAName), try pki.trust(ClusterCertificates.etcdCAName), units: [apiServer])
        try files.add(NodePaths.certificate("service-account"), try pki.certificate("service-account"), units: [apiServer])
        try files.add(NodePaths.key("service-account"), mode: 0o600, try pki.key("service-account"), units: [apiServer, controllerManager])

        try files.add(encryptionConfig, mode: 0o600, EncryptionConfigRenderer.render(context.encryption), units: [apiServer])
        try files.add(auditPolicy, auditPolicyDocument, units: [apiServer])
        if !context.release.servesInsecurePortsByDefault {
            try files.add(schedulerConfig, schedulerConfiguration(context.release), units: [scheduler])
        }
        if let config = kubeconfigs["kube-controller-manager.kubeconfig"] {
            try files.add(controllerManagerKubeconfig, mode: 0o600, config.rendered, units: [controllerManager])
        }
        if let config = kubeconfigs["kube-scheduler.kubeconfig"] {
            try files.add(schedulerKubeconfig, mode: 0o600, config.rendered, units: [scheduler])
        }
        if let config = kubeconfigs["admin.kubeconfig"] {
            try files.add(NodePaths.adminKubeconfig, mode: 0o600, config.rendered)
        }

        let docs = "https://kubernetes.io/docs/reference/command-line-tools-reference/"
        var api = SystemdUnit(description: "Kubernetes API server on \(controller.name)", documentation: docs + "kube-apiserver/",
                              command: apiServerCommand(context, controller: controller))
        api.after.append(contentsOf: context.cluster.etcdMembers.contains(controller) ? ["etcd.service"] : [])
        // A stopping API server waits for its open watches until --request-timeout (60 s) before it
        // exits; apply has taken it out of the load balancer first, so what is left are watches,
        // whose clients reconnect elsewhere: it is stopped this many seconds after its shutdown delay.
        api.service.append("TimeoutStopSec=\((apiServerShutdownDelaySeconds(context.cluster) ?? 0) + apiServerStopSeconds)")
        try files.add(NodePaths.unit(apiServer), api.rendered, units: [apiServer])
        let manager = SystemdUnit(
            description: "Kubernetes controller manager on \(controller.name)", documentation: docs + "kube-controller-manager/",
            command: controllerManagerCommand(context),
            comments: ["Pod CIDRs are assigned by hardway (the CNI config and the pod routes), so node CIDR allocation stays off."])
        try files.add(NodePaths.unit(controllerManager), manager.rendered, units: [controllerManager])
        let sched = SystemdUnit(description: "Kubernetes scheduler on \(controller.name)", documentation: docs + "kube-scheduler/",
                                command: schedulerCommand(context))
        try files.add(NodePaths.unit(scheduler), sched.rendered, units: [scheduler])
    }
}

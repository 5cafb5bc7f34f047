import ClusterModel

/// Objects applied to the running cluster with the admin kubeconfig.
enum ClusterManifestsRenderer {
    /// The API server reaches the kubelets (logs, exec, metrics) as `kube-apiserver-kubelet-client`,
    /// the CN of its client certificate: this role and binding let it.
    static let kubeletAccess = """
        # written by hardway: lets the API server (user kube-apiserver-kubelet-client) reach the kubelets' API
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: system:kube-apiserver-to-kubelet
          annotations:
            rbac.authorization.kubernetes.io/autoupdate: "true"
          labels:
            kubernetes.io/bootstrapping: rbac-defaults
        rules:
          - apiGroups: [""]
            resources: ["nodes/proxy", "nodes/stats", "nodes/log", "nodes/spec", "nodes/metrics"]
            verbs: ["*"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: system:kube-apiserver
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: ClusterRole
          name: system:kube-apiserver-to-kubelet
        subjects:
          - apiGroup: rbac.authorization.k8s.io
            kind: User
            name: kube-apiserver-kubelet-client

        """

    static func coreDNS(_ context: ClusterContext) -> String {
        let network = context.cluster.network
        return """
        # written by hardway: cluster DNS at \(network.dnsServiceIP) for \(network.clusterDomain)
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: coredns
          namespace: kube-system
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: system:coredns
          labels:
            kubernetes.io/bootstrapping: rbac-defaults
        rules:
          - apiGroups: [""]
            resources: ["endpoints", "services", "pods", "namespaces"]
            verbs: ["list", "watch"]
          - apiGroups: ["discovery.k8s.io"]
            resources: ["endpointslices"]
            verbs: ["list", "watch"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: system:coredns
          annotations:
            rbac.authorization.kubernetes.io/autoupdate: "true"
          labels:
            kubernetes.io/bootstrapping: rbac-defaults
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: ClusterRole
          name: system:coredns
        subjects:
          - kind: ServiceAccount
            name: coredns
            namespace: kube-system
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: coredns
          namespace: kube-system
        data:
          Corefile: |
            .:53 {
                errors
                health {
                    lameduck 5s
                }
                ready
                kubernetes \(network.clusterDomain) in-addr.arpa ip6.arpa {
                    pods insecure
                    fallthrough in-addr.arpa ip6.arpa
                    ttl 30
                }
                prometheus :9153
                forward . /etc/resolv.conf {
                    max_concurrent 1000
                }
                cache 30
                loop
                reload
                loadbalance
            }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: coredns
          namespace: kube-system
          labels:
            k8s-app: kube-dns
        spec:
          replicas: 2
          strategy:
            type: RollingUpdate
            rollingUpdate:
              maxUnavailable: 1
          selector:
            matchLabels:
              k8s-app: kube-dns
          template:
            metadata:
              labels:
                k8s-app: kube-dns
            spec:
              priorityClassName: system-cluster-critical
              serviceAccountName: coredns
              nodeSelector:
                kubernetes.io/os: linux
              affinity:
                podAntiAffinity:
                  preferredDuringSchedulingIgnoredDuringExecution:
                    - weight: 100
                      podAffinityTerm:
                        labelSelector:
                          matchLabels:
                            k8s-app: kube-dns
                        topologyKey: kubernetes.io/hostname
              containers:
                - name: coredns
                  image: \(context.release.coreDNSImage)
                  imagePullPolicy: IfNotPresent
                  args: ["-conf", "/etc/coredns/Corefile"]
                  resources:
                    limits:
                      memory: 170Mi
                    requests:
                      cpu: 100m
                      memory: 70Mi
                  ports:
                    - { name: dns, containerPort: 53, protocol: UDP }
                    - { name: dns-tcp, containerPort: 53, protocol: TCP }
                    - { name: metrics, containerPort: 9153, protocol: TCP }
                  securityContext:
                    allowPrivilegeEscalation: false
                    capabilities:
                      add: ["NET_BIND_SERVICE"]
                      drop: ["ALL"]
                    readOnlyRootFilesystem: true
                  livenessProbe:
                    httpGet: { path: /health, port: 8080, scheme: HTTP }
                    initialDelaySeconds: 60
                    timeoutSeconds: 5
                    failureThreshold: 5
                  readinessProbe:
                    httpGet: { path: /ready, port: 8181, scheme: HTTP }
                  volumeMounts:
                    - { name: config-volume, mountPath: /etc/coredns, readOnly: true }
              dnsPolicy: Default
              volumes:
                - name: config-volume
                  configMap:
                    name: coredns
                    items:
                      - { key: Corefile, path: Corefile }
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: kube-dns
          namespace: kube-system
          labels:
            k8s-app: kube-dns
            kubernetes.io/name: CoreDNS
          annotations:
            prometheus.io/port: "9153"
            prometheus.io/scrape: "true"
        spec:
          selector:
            k8s-app: kube-dns
          clusterIP: \(network.dnsServiceIP)
          ports:
            - { name: dns, port: 53, protocol: UDP }
            - { name: dns-tcp, port: 53, protocol: TCP }
            - { name: metrics, port: 9153, protocol: TCP }

        """
    }

    /// With `addons.dns: false` there is no CoreDNS manifest at all.
    static func manifests(_ context: ClusterContext) -> [(name: String, contents: String)] {
        [("kubelet-rbac.yaml", kubeletAccess)] + (context.cluster.addons.dns ? [("coredns.yaml", coreDNS(context))] : [])
    }
}

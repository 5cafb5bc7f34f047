import ClusterModel
import PKI

/// A worker: containerd with runc, the CNI bridge on the worker's own pod CIDR, the kubelet and
/// kube-proxy with their configs and kubeconfigs, and the kernel settings they need. The worker
/// holds its own kubelet key and no other worker's.
enum WorkerRenderer {
    static let kubelet = "kubelet"
    static let kubeProxy = "kube-proxy"
    static let containerd = "containerd"

    static let kubeletConfig = "\(NodePaths.kubeletDir)/kubelet-config.yaml"
    static let kubeletKubeconfig = "\(NodePaths.kubeletDir)/kubeconfig"
    static let kubeProxyConfig = "\(NodePaths.kubeProxyDir)/kube-proxy-config.yaml"
    static let kubeProxyKubeconfig = "\(NodePaths.kubeProxyDir)/kubeconfig"

    static func bridgeConfig(podCIDR: IPv4CIDR) -> String {
        """
        {
          "cniVersion": "1.0.0",
          "name": "bridge",
          "type": "bridge",
          "bridge": "cni0",
          "isGateway": true,
          "hairpinMode": true,
          "ipMasq": true,
          "ipam": {
            "type": "host-local",
            "ranges": [[{ "subnet": "\(podCIDR)" }]],
            "routes": [{ "dst": "0.0.0.0/0" }]
          }
        }

        """
    }

    static let loopbackConfig = """
        {
          "cniVersion": "1.0.0",
          "name": "lo",
          "type": "loopback"
        }

        """

    static func kubeletConfiguration(_ context: ClusterContext, worker: Machine, podCIDR: IPv4CIDR) -> String {
        let network = context.cluster.network
        // Without the DNS addon pods get the node's resolver, not a DNS address nothing answers on.
        let dns = context.cluster.addons.dns ? "clusterDNS:\n  - \(network.dnsServiceIP)\n" : ""
        let runtimeEndpoint = context.release.runtimeEndpointIsAFlag ? "" : "containerRuntimeEndpoint: \(NodePaths.containerdSocket)\n"
        // 1.20's file has no such field (its strict decoding fails and the kubelet falls back to lenient).
        let registerNode = context.release.kubeletConfigHasRegisterNode ? "registerNode: true\n" : ""
        return """
        apiVersion: kubelet.config.k8s.io/v1beta1
        kind: KubeletConfiguration
        authentication:
          anonymous:
            enabled: false
          webhook:
            enabled: true
          x509:
            clientCAFile: \(NodePaths.certificate("ca"))
        authorization:
          mode: Webhook
        cgroupDriver: systemd
        clusterDomain: \(network.clusterDomain)
        \(dns)\(runtimeEndpoint)# Status every 4 s (the default is 10 s), so a new node is Ready sooner; within the node
        # lifecycle rule: the controller manager's grace period (40 s) covers 5 tries (20 s).
        nodeStatusUpdateFrequency: 4s
        podCIDR: \(podCIDR)
        \(registerNode)runtimeRequestTimeout: 15m
        tlsCertFile: \(NodePaths.kubeletDir)/kubelet.pem
        tlsPrivateKeyFile: \(NodePaths.kubeletDir)/kubelet-key.pem

        """
    }

    static func kubeProxyConfiguration(_ context: ClusterContext) -> String {
        """
        apiVersion: kubeproxy.config.k8s.io/v1alpha1
        kind: KubeProxyConfiguration
        clientConnection:
          kubeconfig: \(kubeProxyKubeconfig)
        mode: \(context.cluster.network.proxyMode.rawValue)
        clusterCIDR: \(context.cluster.network.podCIDR)

        """
    }

    static func kubeletCommand(_ context: ClusterContext) -> UnitCommand {
        var command = UnitCommand("\(NodePaths.binaries)/kubelet", [
            ("config", kubeletConfig),
            ("kubeconfig", kubeletKubeconfig),
            ("register-node", "true"),
            ("v", "2"),
        ])
        if context.release.runtimeEndpointIsAFlag {
            command.insert(("container-runtime", "remote"))
            command.insert(("container-runtime-endpoint", NodePaths.containerdSocket))
        }
        return command
    }

    static func kubeProxyCommand() -> UnitCommand {
        UnitCommand("\(NodePaths.binaries)/kube-proxy", [("config", kubeProxyConfig), ("v", "2")])
    }

    /// br_netfilter lets iptables see bridged pod traffic (kube-proxy's service rules); overlay is
    /// containerd's snapshotter; kube-proxy's other modes need their kernel parts too.
    static func kernelModules(_ mode: ProxyMode) -> String {
        let proxy: [String]
        switch mode {
        case .iptables: proxy = []
        case .nftables: proxy = ["nf_tables"]
        case .ipvs: proxy = ["ip_vs", "ip_vs_rr", "ip_vs_wrr", "ip_vs_sh", "nf_conntrack"]
        }
        return (["# written by hardway: loaded at boot for containerd and kube-proxy", "overlay", "br_netfilter"] + proxy).joined(separator: "\n") + "\n"
    }
    static let sysctls = """
        # written by hardway: bridged pod traffic passes iptables, and the worker routes pod traffic
        net.bridge.bridge-nf-call-iptables = 1
        net.bridge.bridge-nf-call-ip6tables = 1
        net.ipv4.ip_forward = 1

        """

    static func add(_ context: ClusterContext, worker: Machine, kubeconfigs: [String: Kubeconfig], to files: inout FileSet) throws {
        guard let podCIDR = worker.podCIDR else {
            throw RenderError(.missingPodCIDR, "\(worker.name) is a worker without a pod CIDR", fix: "report this as a hardway bug, with the cluster file")
        }
        let pki = context.pki
        try files.add(NodePaths.certificate("ca"), try pki.trust("ca"), units: [kubelet])
        try files.addPair(ClusterCertificates.kubeletName(worker.name), from: pki, directory: NodePaths.kubeletDir, file: "kubelet", units: [kubelet])
        if let config = kubeconfigs["\(worker.name).kubeconfig"] {
            try files.add(kubeletKubeconfig, mode: 0o600, config.rendered, units: [kubelet])
        }
        if let config = kubeconfigs["kube-proxy.kubeconfig"] {
            try files.add(kubeProxyKubeconfig, mode: 0o600, config.rendered, units: [kubeProxy])
        }
        try files.add(kubeletConfig, kubeletConfiguration(context, worker: worker, podCIDR: podCIDR), units: [kubelet])
        try files.add(kubeProxyConfig, kubeProxyConfiguration(context), units: [kubeProxy])
        // containerd 1.x reads the version 2 schema, 2.x the version 3 one.
        let containerdConfig = try ContainerdConfig.rendered(containerdVersion: context.cluster.versions.containerd,
                                                             pauseImage: context.release.pauseImage)
        try files.add(NodePaths.containerdConfig, containerdConfig, units: [containerd])
        try files.add("\(NodePaths.cniConfig)/10-bridge.conf", bridgeConfig(podCIDR: podCIDR), units: [containerd])
        try files.add("\(NodePaths.cniConfig)/99-loopback.conf", loopbackConfig, units: [containerd])
        try files.add("/etc/modules-load.d/kubernetes.conf", kernelModules(context.cluster.network.proxyMode))
        try files.add("/etc/sysctl.d/90-kubernetes.conf", sysctls)

        var containerdUnit = SystemdUnit(description: "containerd container runtime", documentation: "https://containerd.io",
                                         command: UnitCommand("\(NodePaths.binaries)/containerd", [("config", NodePaths.containerdConfig)]))
        containerdUnit.service = ["ExecStartPre=-/sbin/modprobe overlay", "Restart=always", "RestartSec=5", "Delegate=yes", "KillMode=process",
                                  "OOMScoreAdjust=-999", "LimitNOFILE=1048576", "LimitNPROC=infinity", "LimitCORE=infinity"]
        try files.add(NodePaths.unit(containerd), containerdUnit.rendered, units: [containerd])

        let docs = "https://kubernetes.io/docs/reference/command-line-tools-reference/"
        var kubeletUnit = SystemdUnit(description: "Kubernetes kubelet on \(worker.name)", documentation: docs + "kubelet/", command: kubeletCommand(context))
        kubeletUnit.after += ["containerd.service", "hardway-swap-off.service"]
        kubeletUnit.requires = ["containerd.service"]
        try files.add(NodePaths.unit(kubelet), kubeletUnit.rendered, units: [kubelet])
        let proxyUnit = SystemdUnit(description: "Kubernetes kube-proxy on \(worker.name)", documentation: docs + "kube-proxy/", command: kubeProxyCommand())
        try files.add(NodePaths.unit(kubeProxy), proxyUnit.rendered, units: [kubeProxy])

        // The kubelet refuses to start with swap on; this keeps it off across reboots.
        var swapOff = SystemdUnit(description: "swap off for the kubelet (hardway)", oneshot: ["/sbin/swapoff -a"], execStop: [])
        swapOff.after = []
        swapOff.wants = []
        try files.add(NodePaths.unit("hardway-swap-off"), swapOff.rendered, units: ["hardway-swap-off"])
    }
}

import ClusterModel

/// The bad-input corpus: one broken cluster file per rule. Each must be reported with its rule's
/// code at its field path; errors must stop resolution, warnings must not.
public struct BadInput: Sendable, CustomStringConvertible {
    public var name: String
    public var text: String
    public var severity: Diagnostic.Severity
    public var code: String
    public var path: String
    /// A word the fix must contain, so the fix is specific.
    public var fixMentions: String?

    public var description: String { name }

    static func replace(_ name: String, _ old: String, _ new: String, _ severity: Diagnostic.Severity = .error, _ code: String, at path: String, fix: String? = nil) -> BadInput {
        BadInput(name: name, text: Fixture.replacing(old, with: new), severity: severity, code: code, path: path, fixMentions: fix)
    }

    public static let corpus: [BadInput] = [
        replace("unknown top-level key", "name: test", "name: test\nnmae: typo", .error, "unknown-key", at: "nmae", fix: "name"),
        replace("unknown key, wrong case", "podCIDR: 10.200.0.0/16", "podCidr: 10.200.0.0/16", .error, "unknown-key", at: "network.podCidr", fix: "podCIDR"),
        replace("unknown host key", "{ name: master-0, address:", "{ name: master-0, adress:", .error, "unknown-key", at: "hosts[1].adress", fix: "address"),
        replace("port is not a number", "extraSANs: [k8s.example.com]", "extraSANs: [k8s.example.com]\n  port: https", .error, "wrong-type", at: "api.port"),
        replace("roles is not a list", "roles: [controller] }\n  - { name: master-1", "roles: controller }\n  - { name: master-1", .error, "wrong-type", at: "hosts[1].roles", fix: "[controller]"),
        replace("network is a list", "network:\n  nodeCIDR: 10.240.0.0/24\n  podCIDR: 10.200.0.0/16\n  serviceCIDR: 10.32.0.0/24", "network: [10.240.0.0/24]", .error, "wrong-type", at: "network"),
        replace("hosts is a mapping", "hosts:\n", "hosts:\n  lb: 1\nunused:\n", .error, "wrong-type", at: "hosts"),
        replace("bad YAML indentation", "  host: lb-0", "   host: lb-0\n  - oops", .error, "yaml-syntax", at: ""),
        replace("duplicate key", "kind: Cluster", "kind: Cluster\nkind: Cluster", .error, "yaml-syntax", at: "", fix: "YAML"),
        replace("invalid host address", "address: 10.240.0.21", "address: 10.240.0.300", .error, "invalid-ip", at: "hosts[5].address"),
        replace("malformed CIDR", "podCIDR: 10.200.0.0/16", "podCIDR: 10.200.0.0", .error, "invalid-cidr", at: "network.podCIDR"),
        replace("CIDR with host bits", "serviceCIDR: 10.32.0.0/24", "serviceCIDR: 10.32.0.5/24", .error, "invalid-cidr", at: "network.serviceCIDR", fix: "10.32.0.0/24"),
        replace("pod and service CIDRs overlap", "serviceCIDR: 10.32.0.0/24", "serviceCIDR: 10.200.128.0/24", .error, "cidr-overlap", at: "network.serviceCIDR"),
        replace("pod and node CIDRs overlap", "nodeCIDR: 10.240.0.0/24", "nodeCIDR: 10.200.240.0/24", .error, "cidr-overlap", at: "network.nodeCIDR"),
        replace("worker pod CIDR outside the pod CIDR", "podCIDR: 10.200.0.0/24 }", "podCIDR: 10.201.0.0/24 }", .error, "pod-cidr-outside", at: "hosts[5].podCIDR"),
        replace("two workers share a pod CIDR", "roles: [worker] }\n", "roles: [worker], podCIDR: 10.200.0.0/24 }\n", .error, "pod-cidr-shared", at: "hosts[5].podCIDR"),
        replace("duplicate host name", "name: master-1,", "name: master-0,", .error, "duplicate-host-name", at: "hosts[2].name"),
        replace("duplicate address", "address: 10.240.0.11", "address: 10.240.0.10", .error, "duplicate-address", at: "hosts[2].address"),
        replace("host name is not a DNS label", "name: master-1,", "name: Master_1,", .error, "invalid-host-name", at: "hosts[2].name", fix: "master-1"),
        BadInput(name: "no controller", text: Fixture.base.replacingOccurrences(of: "roles: [controller]", with: "roles: [worker]"),
                 severity: .error, code: "no-controller", path: "hosts", fixMentions: "controller"),
        replace("haproxy without its host", "  host: lb-0\n", "", .error, "missing-host", at: "loadBalancer.host", fix: "lb-0"),
        replace("load balancer host does not exist", "host: lb-0", "host: lb-9", .error, "missing-host", at: "loadBalancer.host"),
        replace("etcd host does not exist", "pki:", "etcd:\n  hosts: [master-0, master-9, master-2]\npki:", .error, "missing-host", at: "etcd.hosts[1]", fix: "master-1"),
        replace("etcd host listed twice", "pki:", "etcd:\n  hosts: [master-0, master-0, master-2]\npki:", .error, "duplicate-host-name", at: "etcd.hosts[1]"),
        replace("API endpoint missing", "  endpoint: 10.240.0.5\n", "", .error, "missing-endpoint", at: "api.endpoint", fix: "10.240.0.5"),
        replace("API endpoint is not an address", "endpoint: 10.240.0.5", "endpoint: \"https://10.240.0.5\"", .error, "invalid-endpoint", at: "api.endpoint"),
        replace("auto endpoint without infra", "endpoint: 10.240.0.5", "endpoint: auto", .error, "invalid-endpoint", at: "api.endpoint", fix: "infra"),
        replace("two etcd members", "  - { name: master-2, address: 10.240.0.12, roles: [controller] }\n", "", .warning, "even-etcd-members", at: "hosts", fix: "3"),
        replace("four etcd members", "  - { name: worker-0,", "  - { name: master-3, address: 10.240.0.13, roles: [controller] }\n  - { name: worker-0,", .warning, "even-etcd-members", at: "hosts"),
        replace("one controller behind a load balancer",
                "  - { name: master-1, address: 10.240.0.11, roles: [controller] }\n  - { name: master-2, address: 10.240.0.12, roles: [controller] }\n", "",
                .warning, "single-controller", at: "loadBalancer.kind"),
        replace("three controllers without a load balancer", "loadBalancer:\n  kind: haproxy\n  host: lb-0\n", "loadBalancer:\n  kind: none\n",
                .warning, "no-load-balancer", at: "loadBalancer.kind"),
        replace("address outside the node CIDR", "address: 10.240.0.20", "address: 10.241.0.20", .error, "address-outside-node-cidr", at: "hosts[4].address"),
        replace("address inside the service CIDR", "  nodeCIDR: 10.240.0.0/24\n", "", .error, "address-in-service-cidr", at: "hosts[4].address")
            .with { $0.text = $0.text.replacingOccurrences(of: "address: 10.240.0.20", with: "address: 10.32.0.20") },
        replace("empty extra SAN", "extraSANs: [k8s.example.com]", "extraSANs: [k8s.example.com, \"\"]", .error, "empty-san", at: "api.extraSANs[1]", fix: "variable"),
        replace("invalid extra SAN", "extraSANs: [k8s.example.com]", "extraSANs: [\"bad name!\"]", .error, "invalid-san", at: "api.extraSANs[0]"),
        replace("unknown role", "roles: [controller] }\n  - { name: master-1", "roles: [master] }\n  - { name: master-1", .error, "invalid-value", at: "hosts[1].roles[0]", fix: "controller"),
        replace("unknown load balancer kind", "kind: haproxy", "kind: traefik", .error, "invalid-value", at: "loadBalancer.kind", fix: "nginx"),
        replace("unknown key algorithm", "keyAlgorithm: ecdsa-p256", "keyAlgorithm: rsa-1024", .error, "invalid-value", at: "pki.keyAlgorithm", fix: "rsa-2048"),
        replace("leaf validity beyond the CA's", "keyAlgorithm: ecdsa-p256", "keyAlgorithm: ecdsa-p256\n  validity: 9000h\n  caValidity: 8760h", .error, "invalid-duration", at: "pki.validity"),
        replace("unparsable duration", "keyAlgorithm: ecdsa-p256", "keyAlgorithm: ecdsa-p256\n  validity: 1year", .error, "invalid-duration", at: "pki.validity", fix: "8760h"),
        replace("API port out of range", "extraSANs: [k8s.example.com]", "extraSANs: [k8s.example.com]\n  port: 70000", .error, "invalid-port", at: "api.port"),
        replace("unsupported apiVersion", "apiVersion: hardway/v1", "apiVersion: hardway/v2", .error, "invalid-value", at: "apiVersion", fix: "hardway/v1"),
        replace("missing kind", "kind: Cluster\n", "", .error, "missing-field", at: "kind"),
        replace("cluster name is not a label", "name: test", "name: My Cluster", .error, "invalid-name", at: "name", fix: "my-cluster"),
        replace("cluster name empty", "name: test", "name:", .error, "missing-field", at: "name"),
        replace("version without v", "name: test", "name: test\nkubernetesVersion: 1.31.4", .error, "invalid-version", at: "kubernetesVersion", fix: "v1.31.4"),
        replace("a Kubernetes release hardway has no files for", "name: test", "name: test\nkubernetesVersion: v1.24.0", .error, "unsupported-version", at: "kubernetesVersion", fix: "v1.20, v1.30, v1.31, v1.32"),
        replace("containerd 1.x for Kubernetes 1.36", "name: test", "name: test\nkubernetesVersion: v1.36.0\ncontainerdVersion: v1.7.28", .error,
                "unsupported-version", at: "containerdVersion", fix: "v1.35"),
        replace("an etcd minor the release does not run on", "name: test", "name: test\nkubernetesVersion: v1.36.0\netcdVersion: v3.5.17", .error,
                "unsupported-version", at: "etcdVersion", fix: "etcd 3.6"),
        replace("a containerd that does not exist", "name: test", "name: test\ncontainerdVersion: v3.0.0", .error,
                "unsupported-version", at: "containerdVersion", fix: "2.x"),
        replace("runc version without v", "name: test", "name: test\nruncVersion: 1.4.2", .error, "invalid-version", at: "runcVersion", fix: "v1.4.2"),
        replace("nftables before kube-proxy has it by default", "  serviceCIDR: 10.32.0.0/24", "  serviceCIDR: 10.32.0.0/24\n  proxyMode: nftables", .error,
                "unsupported-version", at: "network.proxyMode", fix: "v1.31")
            .with { $0.text = $0.text.replacingOccurrences(of: "name: test", with: "name: test\nkubernetesVersion: v1.30.5") },
        replace("unknown proxy mode", "  serviceCIDR: 10.32.0.0/24", "  serviceCIDR: 10.32.0.0/24\n  proxyMode: userspace", .error,
                "invalid-value", at: "network.proxyMode", fix: "nftables"),
        replace("ipvs, deprecated from 1.35", "  serviceCIDR: 10.32.0.0/24", "  serviceCIDR: 10.32.0.0/24\n  proxyMode: ipvs", .warning,
                "deprecated-value", at: "network.proxyMode", fix: "nftables")
            .with { $0.text = $0.text.replacingOccurrences(of: "name: test", with: "name: test\nkubernetesVersion: v1.35.1") },
        replace("addons.dns neither true nor false", "name: test", "name: test\naddons: { dns: maybe }", .error, "wrong-type", at: "addons.dns"),
        replace("unknown addon", "name: test", "name: test\naddons: { dashboard: true }", .error, "unknown-key", at: "addons.dashboard"),
        replace("load balancer on a controller's port", "host: lb-0", "host: master-0", .error, "port-conflict", at: "loadBalancer.host", fix: "8443")
            .with { $0.text = $0.text.replacingOccurrences(of: "address: 10.240.0.10, roles: [controller]", with: "address: 10.240.0.10, roles: [controller, loadbalancer]") },
        replace("load balancer host without the role", "host: lb-0", "host: worker-0", .error, "missing-role", at: "loadBalancer.host", fix: "hosts[4].roles"),
        replace("unknown encryption provider", "pki:", "encryption: { provider: kms }\npki:", .error, "invalid-value", at: "encryption.provider", fix: "aescbc"),
        replace("service CIDR without room for DNS", "serviceCIDR: 10.32.0.0/24", "serviceCIDR: 10.32.0.0/29", .error, "cidr-too-small", at: "network.serviceCIDR"),
        replace("pod CIDR smaller than a /24", "podCIDR: 10.200.0.0/16", "podCIDR: 10.200.0.0/25", .error, "cidr-too-small", at: "network.podCIDR")
            .with { $0.text = $0.text.replacingOccurrences(of: ", podCIDR: 10.200.0.0/24", with: "") },
        replace("host without an address", "{ name: master-0, address: 10.240.0.10, ", "{ name: master-0, ", .error, "missing-field", at: "hosts[1].address"),
        replace("host with no roles", "address: 10.240.0.10, roles: [controller]", "address: 10.240.0.10, roles: []", .error, "missing-field", at: "hosts[1].roles"),
        replace("infra without a region", "pki:", "infra: { provider: aws }\npki:", .warning, "region-from-environment", at: "infra.region"),
        replace("infra with a bad region", "pki:", "infra: { provider: aws, region: Ohio }\npki:", .error, "invalid-value", at: "infra.region"),
        replace("invalid ssh address", "address: 10.240.0.21,", "address: 10.240.0.21, sshAddress: \"not an address\",", .error, "invalid-address", at: "hosts[5].sshAddress"),
        replace("ssh port out of range", "pki:", "ssh: { port: 0 }\npki:", .error, "invalid-port", at: "ssh.port"),
        replace("empty list entry", "extraSANs: [k8s.example.com]", "extraSANs:\n    - k8s.example.com\n    -", .error, "empty-value", at: "api.extraSANs[1]"),
        BadInput(name: "empty file", text: "", severity: .error, code: "empty-file", path: "", fixMentions: "hardway init"),
        BadInput(name: "not a mapping", text: "- just\n- a list\n", severity: .error, code: "wrong-type", path: "", fixMentions: nil),
        replace("hosts entry is not a mapping", "  - { name: lb-0,", "  - lb-0\n  - { name: lb-0,", .error, "wrong-type", at: "hosts[0]"),
    ]

    func with(_ change: (inout BadInput) -> Void) -> BadInput {
        var copy = self
        change(&copy)
        return copy
    }
}

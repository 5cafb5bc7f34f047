/// Where each file lives on a node. The tutorials' layout: etcd under /etc/etcd, the control plane's
/// certificates and configs under /var/lib/kubernetes, each worker component under its own
/// /var/lib directory, binaries in /usr/local/bin.
enum NodePaths {
    static let binaries = "/usr/local/bin"
    static let units = "/etc/systemd/system"

    static let etcdDir = "/etc/etcd"
    static let etcdData = "/var/lib/etcd"

    static let kubernetesDir = "/var/lib/kubernetes"
    static let kubernetesConfig = "/etc/kubernetes/config"
    static let adminKubeconfig = "/etc/kubernetes/admin.kubeconfig"
    static let addons = "/etc/kubernetes/addons"
    static let auditLog = "/var/log/kubernetes/audit.log"

    static let kubeletDir = "/var/lib/kubelet"
    static let kubeProxyDir = "/var/lib/kube-proxy"
    static let containerdConfig = "/etc/containerd/config.toml"
    static let cniConfig = "/etc/cni/net.d"
    static let cniBinaries = "/opt/cni/bin"
    static let containerdSocket = "unix:///var/run/containerd/containerd.sock"

    static func unit(_ name: String) -> String { "\(units)/\(name).service" }
    static func kubernetes(_ file: String) -> String { "\(kubernetesDir)/\(file)" }
    static func certificate(_ name: String) -> String { kubernetes("\(name).pem") }
    static func key(_ name: String) -> String { kubernetes("\(name)-key.pem") }
}

/// The clients hardway runs on the nodes, as the rendered files lay them out: kubectl with a
/// controller's admin kubeconfig, etcdctl with a member's peer certificate (it carries client auth).
public enum NodeCommands {
    public static let kubectl = "/usr/local/bin/kubectl --kubeconfig /etc/kubernetes/admin.kubeconfig"
    public static let etcdTLS = "--cacert=/etc/etcd/ca.pem --cert=/etc/etcd/peer.pem --key=/etc/etcd/peer-key.pem"

    /// etcdctl (API v3) against `endpoints` (comma-separated URLs) over mutual TLS.
    public static func etcdctl(endpoints: String) -> String {
        "ETCDCTL_API=3 /usr/local/bin/etcdctl --endpoints=\(endpoints) \(etcdTLS) --command-timeout=3s"
    }
}

import ClusterModel

/// The clients hardway runs on the nodes, as the rendered files lay them out: kubectl with a
/// controller's admin kubeconfig, etcdctl with a member's peer certificate (it carries client auth).
public enum NodeCommands {
    /// kubectl for a request and its answer: past 30 s (an API server that stopped answering behind a
    /// proxy that still takes connections) it gives up and says so, never hangs.
    public static let kubectl = kubectlStreaming + " --request-timeout=30s"
    /// kubectl for what streams as long as it is wanted (port-forward): no request time limit.
    public static let kubectlStreaming = "/usr/local/bin/kubectl --kubeconfig /etc/kubernetes/admin.kubeconfig"
    public static let etcdTLS = "--cacert=/etc/etcd/ca.pem --cert=/etc/etcd/peer.pem --key=/etc/etcd/peer-key.pem"

    /// The etcd member on the node itself (every member listens on loopback too).
    public static let localEtcd = "https://127.0.0.1:2379"

    /// etcdctl (API v3) against `endpoints` (comma-separated URLs) over mutual TLS.
    public static func etcdctl(endpoints: String = localEtcd) -> String {
        "ETCDCTL_API=3 /usr/local/bin/etcdctl --endpoints=\(endpoints) \(etcdTLS) --command-timeout=3s"
    }

    /// Shell that sets `t` to when `unit`'s process started, in whole seconds since 1970 by the host's
    /// clock (from /proc: clock ticks since boot), or `-` when it runs none. `newestChild`: a unit
    /// that reloads (HAProxy, nginx) keeps its main process and starts new workers; the newest child
    /// is what runs its configuration.
    public static func unitStarted(_ unit: String, newestChild: Bool = false) -> String {
        let children = newestChild ? "k=$(awk -v p=\"$pid\" '$4 == p { print $22 }' /proc/[0-9]*/stat 2>/dev/null | sort -n | tail -1); " : "k=; "
        return "pid=$(systemctl show -p MainPID --value \(unit)); t=-; if [ \"${pid:-0}\" != 0 ] && [ -r \"/proc/$pid/stat\" ]; then \(children)" +
            "[ -n \"$k\" ] || k=$(awk '{ print $22 }' \"/proc/$pid/stat\"); " +
            "t=$(awk -v now=\"$(date +%s)\" -v up=\"$(cut -d' ' -f1 /proc/uptime)\" -v hz=\"$(getconf CLK_TCK)\" -v k=\"$k\" 'BEGIN { printf \"%d\", now - up + k / hz }'); fi"
    }

    /// etcdctl against every member of the cluster file.
    public static func etcdctl(members cluster: Cluster) -> String {
        etcdctl(endpoints: cluster.etcdClientURLs.joined(separator: ","))
    }
}

/// etcd's URLs for a member's address, as the rendered etcd units serve them.
public enum EtcdURL {
    public static func peer(_ address: String) -> String { "https://\(address):2380" }
    public static func client(_ address: String) -> String { "https://\(address):2379" }
}

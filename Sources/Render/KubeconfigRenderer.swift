import PKI

/// A kubeconfig with the CA, client certificate and key embedded, so the file alone is enough.
/// Cluster and context carry the cluster's name.
public struct Kubeconfig: Sendable, Equatable {
    public var clusterName: String
    public var server: String
    public var user: String
    public var caPEM: String
    public var certificatePEM: String
    public var keyPEM: String

    public var rendered: String {
        """
        apiVersion: v1
        kind: Config
        clusters:
          - name: \(quoted(clusterName))
            cluster:
              server: \(server)
              certificate-authority-data: \(Base64.encode(caPEM))
        users:
          - name: \(quoted(user))
            user:
              client-certificate-data: \(Base64.encode(certificatePEM))
              client-key-data: \(Base64.encode(keyPEM))
        contexts:
          - name: \(quoted(clusterName))
            context:
              cluster: \(quoted(clusterName))
              user: \(quoted(user))
        current-context: \(quoted(clusterName))
        preferences: {}

        """
    }

    /// User names like `system:node:worker-0` hold colons: quoted, so YAML reads them as plain strings.
    func quoted(_ text: String) -> String { "\"\(text)\"" }
}

/// Every kubeconfig of the cluster, by file name (`worker-0.kubeconfig`, `admin-remote.kubeconfig`…).
enum KubeconfigRenderer {
    static let localServer = "https://127.0.0.1:6443"

    struct Entry {
        var fileName: String
        var config: Kubeconfig
    }

    static func endpointURL(_ cluster: ClusterContext) throws -> String {
        guard let url = cluster.cluster.api.url else {
            throw RenderError(.endpointUnknown, "api.endpoint is auto, and the AWS load balancer's name is not known yet",
                              fix: "run `hardway infra apply -f <cluster file>` first, or set api.endpoint to the load balancer's address")
        }
        return url
    }

    static func entries(_ context: ClusterContext) throws -> [Entry] {
        let cluster = context.cluster
        let pki = context.pki
        let endpoint = try endpointURL(context)
        let ca = try pki.trust("ca")
        func make(_ file: String, _ server: String, user: String, certificate name: String) throws -> Entry {
            Entry(fileName: file, config: Kubeconfig(clusterName: cluster.name, server: server, user: user, caPEM: ca,
                                                     certificatePEM: try pki.certificate(name), keyPEM: try pki.key(name)))
        }
        var entries: [Entry] = []
        for worker in cluster.workers {
            entries.append(try make("\(worker.name).kubeconfig", endpoint, user: "system:node:\(worker.name)",
                                    certificate: ClusterCertificates.kubeletName(worker.name)))
        }
        entries += [
            try make("kube-proxy.kubeconfig", endpoint, user: "system:kube-proxy", certificate: "kube-proxy"),
            try make("kube-controller-manager.kubeconfig", localServer, user: "system:kube-controller-manager", certificate: "kube-controller-manager"),
            try make("kube-scheduler.kubeconfig", localServer, user: "system:kube-scheduler", certificate: "kube-scheduler"),
            try make("admin.kubeconfig", localServer, user: "admin", certificate: "admin"),
            try make("admin-remote.kubeconfig", endpoint, user: "admin", certificate: "admin"),
        ]
        return entries
    }
}

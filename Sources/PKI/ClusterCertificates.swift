import ClusterModel

/// The PKI a cluster needs, as a table built from the cluster file. Names, subjects and usages
/// follow what the tutorials issue with cfssl and what each Kubernetes component checks:
/// the Node authorizer needs `system:node:<name>` in `system:nodes`; RBAC's built-in bindings
/// need `system:kube-proxy`, `system:kube-controller-manager`, `system:kube-scheduler`.
public enum ClusterCertificates {
    public static let caName = "ca"
    public static let frontProxyCAName = "front-proxy-ca"
    /// etcd's own CA, as kubeadm has it: etcd trusts only this one for clients and peers, so no
    /// other certificate of the cluster (a kubelet's, the admin's) can read or write etcd.
    public static let etcdCAName = "etcd-ca"
    /// What etcd's CA signs: the members' server and peer certificates and the API server's client.
    public static func signedByEtcdCA(_ name: String) -> Bool {
        name.hasPrefix("etcd-server-") || name.hasPrefix("etcd-peer-") || name == apiServerEtcdClientName
    }
    public static let apiServerEtcdClientName = "kube-apiserver-etcd-client"

    public static func kubeletName(_ host: String) -> String { "kubelet-\(host)" }
    public static func etcdServerName(_ host: String) -> String { "etcd-server-\(host)" }
    public static func etcdPeerName(_ host: String) -> String { "etcd-peer-\(host)" }

    /// Every certificate of the cluster, CAs first, in a stable order.
    public static func profiles(for cluster: Cluster) -> [CertificateProfile] {
        let pki = cluster.pki
        let algorithm = PrivateKeyMaterial.Algorithm(pki.keyAlgorithm)
        let base = pki.subject

        func subject(_ commonName: String, organizations: [String]) -> SubjectName {
            SubjectName(country: base.country.map { [$0] } ?? [], state: base.state.map { [$0] } ?? [],
                        locality: base.locality.map { [$0] } ?? [], organization: organizations,
                        organizationalUnit: base.organizationalUnit.map { [$0] } ?? [], commonName: commonName)
        }
        func profile(_ name: String, _ purpose: String, issuer: String? = caName, role: CertificateRole, cn: String,
                     o: [String] = [], sans: [SubjectAltName] = []) -> CertificateProfile {
            CertificateProfile(name: name, purpose: purpose, issuer: issuer, role: role, subject: subject(cn, organizations: o), sans: sans,
                               validity: role == .ca ? pki.caValidity : pki.validity, keyAlgorithm: algorithm)
        }

        var table: [CertificateProfile] = [
            profile(caName, "cluster CA: signs the certificates below but etcd's and the front proxy's", issuer: nil, role: .ca, cn: "Kubernetes", o: [base.organization]),
            profile(frontProxyCAName, "front-proxy CA: signs the aggregation layer's client", issuer: nil, role: .ca, cn: "front-proxy-ca", o: [base.organization]),
            profile(etcdCAName, "etcd CA: signs etcd's certificates and its one client, the API server", issuer: nil, role: .ca, cn: "etcd-ca", o: [base.organization]),
            profile("kube-apiserver", "API server serving certificate", role: .server, cn: "kubernetes", o: [base.organization],
                    sans: apiServerSANs(cluster)),
            profile("kube-apiserver-kubelet-client", "API server's identity to the kubelets", role: .client, cn: "kube-apiserver-kubelet-client"),
            profile(apiServerEtcdClientName, "API server's identity to etcd", issuer: etcdCAName, role: .client, cn: "kube-apiserver-etcd-client"),
        ]
        for member in cluster.etcdMembers {
            let sans: [SubjectAltName] = [.dnsName(member.name), .ipAddress(member.address.description), .ipAddress("127.0.0.1")]
            // etcd's own gRPC gateway dials the member with the server certificate, so it needs clientAuth too.
            table.append(profile(etcdServerName(member.name), "etcd client-facing certificate on \(member.name)", issuer: etcdCAName,
                                 role: .peer, cn: member.name, sans: sans))
            table.append(profile(etcdPeerName(member.name), "etcd peer certificate on \(member.name)", issuer: etcdCAName, role: .peer,
                                 cn: member.name, sans: sans))
        }
        table.append(profile("admin", "cluster administrator (kubectl)", role: .client, cn: "admin", o: ["system:masters"]))
        for worker in cluster.workers {
            // One certificate serves the kubelet's API and identifies it to the API server, as in the tutorials.
            table.append(profile(kubeletName(worker.name), "kubelet on \(worker.name)", role: .peer, cn: "system:node:\(worker.name)",
                                 o: ["system:nodes"], sans: [.dnsName(worker.name), .ipAddress(worker.address.description)]))
        }
        table += [
            profile("kube-proxy", "kube-proxy on every worker", role: .client, cn: "system:kube-proxy", o: ["system:node-proxier"]),
            profile("kube-controller-manager", "controller manager", role: .client, cn: "system:kube-controller-manager", o: ["system:kube-controller-manager"]),
            profile("kube-scheduler", "scheduler", role: .client, cn: "system:kube-scheduler", o: ["system:kube-scheduler"]),
            profile("service-account", "signs and verifies service-account tokens", role: .signing, cn: "service-accounts", o: [base.organization]),
            profile("front-proxy-client", "API server's client to aggregated APIs", issuer: frontProxyCAName, role: .client, cn: "front-proxy-client"),
        ]
        return table
    }

    /// Every name clients may use for the API server: each controller by address and name, the
    /// endpoint, extra SANs, loopback, the `kubernetes` service by IP and by all its DNS forms.
    public static func apiServerSANs(_ cluster: Cluster) -> [SubjectAltName] {
        var hosts: [String] = []
        for controller in cluster.controllers {
            hosts += [controller.address.description, controller.name]
        }
        if let endpoint = cluster.api.endpoint.host { hosts.append(endpoint) }
        hosts += cluster.api.extraSANs
        hosts += ["127.0.0.1", "localhost", cluster.network.apiServiceIP.description,
                  "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster",
                  "kubernetes.default.svc.\(cluster.network.clusterDomain)"]
        var seen = Set<String>()
        return hosts.filter { seen.insert($0.lowercased()).inserted }.map(SubjectAltName.init(host:))
    }
}

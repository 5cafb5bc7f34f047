import ClusterModel
import PKI

/// One etcd member: its certificates under /etc/etcd and a unit with mutual TLS on both the client
/// and the peer side, listening on its own address (clients also on loopback). /etc/etcd/ca.pem is
/// etcd's own CA (`etcd-ca`), never the cluster CA: only the members and the API server get in.
enum EtcdRenderer {
    static let unitName = "etcd"

    static func command(_ context: ClusterContext, member: Machine) -> UnitCommand {
        let cluster = context.cluster
        let address = member.address.description
        let dir = NodePaths.etcdDir
        return UnitCommand("\(NodePaths.binaries)/etcd", [
            ("name", member.name),
            ("data-dir", NodePaths.etcdData),
            ("cert-file", "\(dir)/server.pem"),
            ("key-file", "\(dir)/server-key.pem"),
            ("trusted-ca-file", "\(dir)/ca.pem"),
            ("client-cert-auth", "true"),
            ("peer-cert-file", "\(dir)/peer.pem"),
            ("peer-key-file", "\(dir)/peer-key.pem"),
            ("peer-trusted-ca-file", "\(dir)/ca.pem"),
            ("peer-client-cert-auth", "true"),
            ("listen-client-urls", "https://\(address):2379,https://127.0.0.1:2379"),
            ("advertise-client-urls", "https://\(address):2379"),
            ("listen-peer-urls", "https://\(address):2380"),
            ("initial-advertise-peer-urls", "https://\(address):2380"),
            ("initial-cluster", cluster.etcdInitialCluster),
            ("initial-cluster-token", "\(cluster.name)-etcd"),
            ("initial-cluster-state", "new"),
        ])
    }

    static func add(_ context: ClusterContext, member: Machine, to files: inout FileSet) throws {
        let units = [unitName]
        try files.add("\(NodePaths.etcdDir)/ca.pem", try context.pki.certificate(ClusterCertificates.etcdCAName), units: units)
        try files.addPair(ClusterCertificates.etcdServerName(member.name), from: context.pki, directory: NodePaths.etcdDir, file: "server", units: units)
        try files.addPair(ClusterCertificates.etcdPeerName(member.name), from: context.pki, directory: NodePaths.etcdDir, file: "peer", units: units)
        var unit = SystemdUnit(description: "etcd member \(member.name) of \(context.cluster.name)", documentation: "https://etcd.io/docs/",
                               type: "notify", command: command(context, member: member))
        unit.service.append("LimitNOFILE=40000")
        try files.add(NodePaths.unit(unitName), unit.rendered, units: units)
    }
}

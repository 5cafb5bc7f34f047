import ClusterModel
import PKI

/// One etcd member: its certificates under /etc/etcd and a unit with mutual TLS on both the client
/// and the peer side, listening on its own address (clients also on loopback). /etc/etcd/ca.pem is
/// etcd's own CA (`etcd-ca`), never the cluster CA: only the members and the API server get in.
///
/// The member list and the cluster state etcd reads only on its first start, with an empty data
/// directory, come from /etc/etcd/bootstrap.env: a member joining later changes that file on every
/// member without restarting one, and `hardway apply` writes /etc/etcd/join.env (the running
/// cluster's list, `existing`) on the one that joins.
public enum EtcdRenderer {
    static let unitName = "etcd"
    public static let bootstrapFile = "\(NodePaths.etcdDir)/bootstrap.env"
    public static let joinFile = "\(NodePaths.etcdDir)/join.env"
    /// Not ETCD_-prefixed: etcd would read those itself and refuse them beside the flags.
    public static let initialClusterVariable = "INITIAL_CLUSTER"
    public static let initialClusterStateVariable = "INITIAL_CLUSTER_STATE"

    /// The environment file's text: the first-start settings, with what they are for.
    public static func environmentFile(initialCluster: String, state: String, comment: String) -> String {
        """
        # \(comment)
        # etcd reads these only on its first start, when \(NodePaths.etcdData) is empty.
        \(initialClusterVariable)=\(initialCluster)
        \(initialClusterStateVariable)=\(state)

        """
    }

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
            ("initial-cluster", "${\(initialClusterVariable)}"),
            ("initial-cluster-token", "\(cluster.name)-etcd"),
            ("initial-cluster-state", "${\(initialClusterStateVariable)}"),
            // A member that restarts asks whether it could win before it calls an election, so a
            // follower's restart (a roll, an upgrade) leaves the leader in place. etcd 3.5 does so
            // by default; 3.4 does not, and every needless election fails the quorum reads in flight.
            ("pre-vote", "true"),
        ])
    }

    static func add(_ context: ClusterContext, member: Machine, to files: inout FileSet) throws {
        let units = [unitName]
        try files.add("\(NodePaths.etcdDir)/ca.pem", try context.pki.trust(ClusterCertificates.etcdCAName), units: units)
        try files.addPair(ClusterCertificates.etcdServerName(member.name), from: context.pki, directory: NodePaths.etcdDir, file: "server", units: units)
        try files.addPair(ClusterCertificates.etcdPeerName(member.name), from: context.pki, directory: NodePaths.etcdDir, file: "peer", units: units)
        // Written without a restart: a running member never reads it again.
        try files.add(bootstrapFile, environmentFile(initialCluster: context.cluster.etcdInitialCluster, state: "new",
                                                     comment: "the members of \(context.cluster.name)'s etcd as the cluster file lists them; a member that joined a running etcd has \(joinFile) too"))
        var unit = SystemdUnit(description: "etcd member \(member.name) of \(context.cluster.name)", documentation: "https://etcd.io/docs/",
                               type: "notify", command: command(context, member: member),
                               comments: ["--initial-cluster and --initial-cluster-state: from \(bootstrapFile), and from \(joinFile) when `hardway apply` joined this member to a running etcd"])
        unit.environmentFiles = [bootstrapFile, "-\(joinFile)"]
        unit.service.append("LimitNOFILE=40000")
        try files.add(NodePaths.unit(unitName), unit.rendered, units: units)
    }
}

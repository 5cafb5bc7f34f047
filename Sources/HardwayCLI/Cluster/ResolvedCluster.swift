import ClusterModel

/// The derived values of a cluster, for scripts.
struct ResolvedCluster: Encodable {
    struct HostEntry: Encodable {
        var name: String
        var address: String
        var roles: [String]
        var podCIDR: String?
        var sshAddress: String
    }

    var name: String
    var kubernetesVersion: String
    var etcdVersion: String
    var containerdVersion: String
    var runcVersion: String
    var cniPluginsVersion: String
    var proxyMode: String
    var apiEndpoint: String?
    var apiURL: String?
    var loadBalancer: String
    var loadBalancerHost: String?
    var podCIDR: String
    var serviceCIDR: String
    var nodeCIDR: String?
    var apiServiceIP: String
    var dnsServiceIP: String
    var clusterDomain: String
    var etcdMembers: [String]
    var etcdInitialCluster: String
    var keyAlgorithm: String
    var hosts: [HostEntry]

    init(_ cluster: Cluster) {
        name = cluster.name
        kubernetesVersion = cluster.kubernetesVersion
        etcdVersion = cluster.etcdVersion
        containerdVersion = cluster.versions.containerd
        runcVersion = cluster.versions.runc
        cniPluginsVersion = cluster.versions.cniPlugins
        proxyMode = cluster.network.proxyMode.rawValue
        apiEndpoint = cluster.api.endpoint.host
        apiURL = cluster.api.url
        loadBalancer = cluster.loadBalancer.kind.rawValue
        loadBalancerHost = cluster.loadBalancer.host?.name
        podCIDR = cluster.network.podCIDR.description
        serviceCIDR = cluster.network.serviceCIDR.description
        nodeCIDR = cluster.network.nodeCIDR?.description
        apiServiceIP = cluster.network.apiServiceIP.description
        dnsServiceIP = cluster.network.dnsServiceIP.description
        clusterDomain = cluster.network.clusterDomain
        etcdMembers = cluster.etcdMembers.map(\.name)
        etcdInitialCluster = cluster.etcdInitialCluster
        keyAlgorithm = cluster.pki.keyAlgorithm.rawValue
        hosts = cluster.hosts.map { HostEntry(name: $0.name, address: $0.address.description, roles: $0.roles.map(\.rawValue),
                                              podCIDR: $0.podCIDR?.description, sshAddress: $0.sshAddress) }
    }
}

/// The fields of the cluster file, mapping by mapping, in the order they are read and listed to the
/// user ("known fields here: …"); a key not listed is an unknown field. The names are the public
/// interface of hardway (see `ClusterSpec`, `examples/` and the README).
enum ClusterFileFields {
    static var top: [SpecField<ClusterSpec>] {
        [.string("apiVersion", \.apiVersion), .string("kind", \.kind), .string("name", \.name),
         .string("kubernetesVersion", \.kubernetesVersion), .string("etcdVersion", \.etcdVersion),
         .string("containerdVersion", \.containerdVersion), .string("runcVersion", \.runcVersion),
         .string("cniPluginsVersion", \.cniPluginsVersion),
         .mapping("network", \.network, network), .mapping("api", \.api, api),
         .mapping("loadBalancer", \.loadBalancer, loadBalancer), .mapping("etcd", \.etcd, etcd),
         .mapping("pki", \.pki, pki), .mapping("encryption", \.encryption, encryption), .mapping("ssh", \.ssh, ssh),
         .mapping("binaries", \.binaries, binaries), .mapping("addons", \.addons, addons),
         .list("hosts", \.hosts, host), .mapping("infra", \.infra, infra)]
    }

    static var network: [SpecField<ClusterSpec.NetworkSpec>] {
        [.string("nodeCIDR", \.nodeCIDR), .string("podCIDR", \.podCIDR), .string("serviceCIDR", \.serviceCIDR),
         .string("clusterDomain", \.clusterDomain), .string("proxyMode", \.proxyMode)]
    }

    static var api: [SpecField<ClusterSpec.APISpec>] {
        [.string("endpoint", \.endpoint), .int("port", \.port), .strings("extraSANs", \.extraSANs)]
    }

    static var loadBalancer: [SpecField<ClusterSpec.LoadBalancerSpec>] { [.string("kind", \.kind), .string("host", \.host)] }

    static var etcd: [SpecField<ClusterSpec.EtcdSpec>] { [.strings("hosts", \.hosts)] }

    static var pki: [SpecField<ClusterSpec.PKISpec>] {
        [.string("keyAlgorithm", \.keyAlgorithm), .string("validity", \.validity), .string("caValidity", \.caValidity),
         .mapping("subject", \.subject, subject)]
    }

    static var subject: [SpecField<ClusterSpec.SubjectSpec>] {
        [.string("country", \.country), .string("state", \.state), .string("locality", \.locality),
         .string("organization", \.organization), .string("organizationalUnit", \.organizationalUnit)]
    }

    static var encryption: [SpecField<ClusterSpec.EncryptionSpec>] { [.string("provider", \.provider)] }

    static var ssh: [SpecField<ClusterSpec.SSHSpec>] {
        [.string("user", \.user), .string("identityFile", \.identityFile), .int("port", \.port), .string("bastion", \.bastion)]
    }

    static var binaries: [SpecField<ClusterSpec.BinariesSpec>] { [.string("dir", \.dir), .string("mirror", \.mirror)] }

    static var addons: [SpecField<ClusterSpec.AddonsSpec>] { [.bool("dns", \.dns)] }

    static var host: [SpecField<ClusterSpec.HostSpec>] {
        [.string("name", \.name), .string("address", \.address), .strings("roles", \.roles), .string("podCIDR", \.podCIDR),
         .string("sshAddress", \.sshAddress)]
    }

    static var infra: [SpecField<ClusterSpec.InfraSpec>] {
        [.string("provider", \.provider), .string("region", \.region), .string("instanceType", \.instanceType),
         .mapping("image", \.image, image)]
    }

    static var image: [SpecField<ClusterSpec.ImageSpec>] { [.string("owner", \.owner), .string("name", \.name)] }
}

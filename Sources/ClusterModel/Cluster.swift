/// A cluster with every default filled in and every derived value computed once: what the PKI,
/// renderers and phases read. Only `ClusterResolver` makes one, and only from a spec without errors.
public struct Cluster: Sendable, Equatable {
    public var name: String
    public var kubernetesVersion: String
    public var etcdVersion: String
    /// containerd's, runc's and the CNI plugins' versions: as written, or the release's pairing.
    public var versions: Versions
    public var network: Network
    public var api: API
    public var loadBalancer: LoadBalancer
    /// etcd members in the order of `etcd.hosts` (or of the hosts list when defaulted).
    public var etcdMembers: [Machine]
    public var pki: PKISettings
    public var encryption: Encryption
    public var ssh: SSH
    public var binaries: Binaries
    public var addons = Addons()
    public var hosts: [Machine]
    public var infra: Infra?

    public var controllers: [Machine] { hosts.filter { $0.has(.controller) } }
    public var workers: [Machine] { hosts.filter { $0.has(.worker) } }

    public func host(named name: String) -> Machine? { hosts.first { $0.name == name } }

    /// etcd's `--initial-cluster`: `name=https://address:2380` for every member.
    public var etcdInitialCluster: String {
        etcdMembers.map { "\($0.name)=https://\($0.address):2380" }.joined(separator: ",")
    }

    /// etcd's client URLs, as the API server's `--etcd-servers` lists them.
    public var etcdClientURLs: [String] { etcdMembers.map { "https://\($0.address):2379" } }

    public struct Network: Sendable, Equatable {
        public var nodeCIDR: IPv4CIDR?
        public var podCIDR: IPv4CIDR
        public var serviceCIDR: IPv4CIDR
        public var clusterDomain: String
        /// The `kubernetes` service's cluster IP: the first host address of the service CIDR.
        public var apiServiceIP: IPv4Address
        /// CoreDNS's cluster IP: the tenth address of the service CIDR, by the tutorials' convention.
        public var dnsServiceIP: IPv4Address
        /// kube-proxy's mode (iptables unless the file says otherwise).
        public var proxyMode: ProxyMode = .iptables
    }

    /// What runs the containers, beside `kubernetesVersion` and `etcdVersion`: each as the file names it, or
    /// the release's pairing (`ReleasePairing`). `v2.1.0`.
    public struct Versions: Sendable, Equatable {
        public var containerd: String
        public var runc: String
        public var cniPlugins: String
    }

    public struct API: Sendable, Equatable {
        public var endpoint: APIEndpoint
        public var port: Int
        public var extraSANs: [String]

        /// `https://endpoint:port`, or nil while an `auto` endpoint is not known yet.
        public var url: String? { endpoint.host.map { "https://\($0):\(port)" } }
    }

    public struct LoadBalancer: Sendable, Equatable {
        public var kind: LoadBalancerKind
        /// The host that runs HAProxy or nginx; nil for `external` and `none`.
        public var host: Machine?
    }

    public struct PKISettings: Sendable, Equatable {
        public var keyAlgorithm: KeyAlgorithm
        public var validity: ValidityDuration
        public var caValidity: ValidityDuration
        public var subject: Subject
    }

    /// The parts of every certificate subject that come from the cluster file; CN and (for
    /// identities) O come from each certificate's profile.
    public struct Subject: Sendable, Equatable, Codable {
        public var country: String?
        public var state: String?
        public var locality: String?
        public var organization: String
        public var organizationalUnit: String?

        public init(country: String? = nil, state: String? = nil, locality: String? = nil,
                    organization: String = "Kubernetes", organizationalUnit: String? = nil) {
            self.country = country
            self.state = state
            self.locality = locality
            self.organization = organization
            self.organizationalUnit = organizationalUnit
        }
    }

    public struct Encryption: Sendable, Equatable {
        public var provider: EncryptionProvider
    }

    public struct SSH: Sendable, Equatable {
        public var user: String
        public var identityFile: String?
        public var port: Int
        public var bastion: String?
    }

    /// What apply deploys into the cluster after the nodes.
    public struct Addons: Sendable, Equatable {
        /// CoreDNS at the service CIDR's tenth address (default on).
        public var dns = true
        public init(dns: Bool = true) { self.dns = dns }
    }

    public struct Binaries: Sendable, Equatable {
        public var dir: String?
        /// `binaries.mirror` without its trailing `/`: where `hardway binaries build` downloads
        /// instead of upstream's hosts (see `Cluster.Binaries.mirrorProblem`).
        public var mirror: String? = nil
    }

    public struct Infra: Sendable, Equatable {
        public var provider: String
        /// Nil when the file leaves it to AWS_REGION.
        public var region: String?
        public var instanceType: String
        public var imageOwner: String
        public var imageName: String
    }
}

/// A machine of the cluster.
public struct Machine: Sendable, Hashable {
    public var name: String
    public var address: IPv4Address
    public var roles: [Role]
    /// The pod CIDR of a worker: as written, or the /24 hardway allocated for it. Nil for non-workers.
    public var podCIDR: IPv4CIDR?
    /// Where hardway connects over SSH: an address or DNS name; defaults to `address`.
    public var sshAddress: String

    public init(name: String, address: IPv4Address, roles: [Role], podCIDR: IPv4CIDR? = nil, sshAddress: String? = nil) {
        self.name = name
        self.address = address
        self.roles = roles
        self.podCIDR = podCIDR
        self.sshAddress = sshAddress ?? address.description
    }

    public func has(_ role: Role) -> Bool { roles.contains(role) }
}

public enum Role: String, Sendable, CaseIterable, Codable {
    case controller, worker, etcd, loadbalancer
}

public enum APIEndpoint: Sendable, Equatable {
    case address(IPv4Address)
    case hostName(String)
    /// The AWS network load balancer's DNS name, known once `hardway infra apply` ran.
    case auto(resolved: String?)

    /// The address or name clients dial; nil while `auto` is unresolved.
    public var host: String? {
        switch self {
        case .address(let address): return address.description
        case .hostName(let name): return name
        case .auto(let resolved): return resolved
        }
    }
}

public enum LoadBalancerKind: String, Sendable, CaseIterable, Codable {
    case haproxy, nginx, external, none
}

public enum KeyAlgorithm: String, Sendable, CaseIterable, Codable {
    case rsa2048 = "rsa-2048"
    case rsa4096 = "rsa-4096"
    case ecdsaP256 = "ecdsa-p256"
}

public enum EncryptionProvider: String, Sendable, CaseIterable, Codable {
    case aescbc, aesgcm, secretbox
}

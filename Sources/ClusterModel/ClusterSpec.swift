/// The cluster file as written, before defaults and checks: every field optional, every value
/// the text the user typed. `ClusterResolver` turns it into a `Cluster` or a list of diagnostics.
/// Field names are the public interface of hardway (see `examples/` and the README).
public struct ClusterSpec: Sendable, Equatable, Codable, SpecSection {
    public var apiVersion: String?
    public var kind: String?
    public var name: String?
    public var kubernetesVersion: String?
    public var etcdVersion: String?
    public var containerdVersion: String?
    public var runcVersion: String?
    public var cniPluginsVersion: String?
    public var network: NetworkSpec?
    public var api: APISpec?
    public var loadBalancer: LoadBalancerSpec?
    public var etcd: EtcdSpec?
    public var pki: PKISpec?
    public var encryption: EncryptionSpec?
    public var ssh: SSHSpec?
    public var binaries: BinariesSpec?
    public var addons: AddonsSpec?
    public var hosts: [HostSpec]?
    public var infra: InfraSpec?

    public init() {}

    public struct NetworkSpec: Sendable, Equatable, Codable, SpecSection {
        public var nodeCIDR: String?
        public var podCIDR: String?
        public var serviceCIDR: String?
        public var clusterDomain: String?
        public var proxyMode: String?
        public init() {}
    }

    public struct APISpec: Sendable, Equatable, Codable, SpecSection {
        public var endpoint: String?
        public var port: Int?
        public var extraSANs: [String]?
        public init() {}
    }

    public struct LoadBalancerSpec: Sendable, Equatable, Codable, SpecSection {
        public var kind: String?
        public var host: String?
        public init() {}
    }

    public struct EtcdSpec: Sendable, Equatable, Codable, SpecSection {
        public var hosts: [String]?
        public init() {}
    }

    public struct PKISpec: Sendable, Equatable, Codable, SpecSection {
        public var keyAlgorithm: String?
        public var validity: String?
        public var caValidity: String?
        public var subject: SubjectSpec?
        public init() {}
    }

    public struct SubjectSpec: Sendable, Equatable, Codable, SpecSection {
        public var country: String?
        public var state: String?
        public var locality: String?
        public var organization: String?
        public var organizationalUnit: String?
        public init() {}
    }

    public struct EncryptionSpec: Sendable, Equatable, Codable, SpecSection {
        public var provider: String?
        public init() {}
    }

    public struct SSHSpec: Sendable, Equatable, Codable, SpecSection {
        public var user: String?
        public var identityFile: String?
        public var port: Int?
        public var bastion: String?
        public init() {}
    }

    public struct BinariesSpec: Sendable, Equatable, Codable, SpecSection {
        public var dir: String?
        /// A files repository in kubespray's layout: upstream's host and path under one base URL.
        public var mirror: String?
        public init() {}
    }

    public struct AddonsSpec: Sendable, Equatable, Codable, SpecSection {
        public var dns: Bool?
        public init() {}
    }

    public struct HostSpec: Sendable, Equatable, Codable, SpecSection {
        public var name: String?
        public var address: String?
        public var roles: [String]?
        public var podCIDR: String?
        public var sshAddress: String?
        public init() {}
    }

    public struct InfraSpec: Sendable, Equatable, Codable, SpecSection {
        public var provider: String?
        public var region: String?
        public var instanceType: String?
        public var image: ImageSpec?
        public init() {}
    }

    public struct ImageSpec: Sendable, Equatable, Codable, SpecSection {
        public var owner: String?
        public var name: String?
        public init() {}
    }
}

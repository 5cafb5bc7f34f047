import ClusterModel
import Crypto
import Foundation

/// What the cluster needs on AWS, worked out from the cluster file alone: CIDRs, names, tags, the
/// security group's rules, each instance's address and user data. Pure, so `infra plan` and the
/// tests read the same answer `infra apply` acts on.
public struct InfraDesign: Sendable, Equatable {
    public var cluster: String
    public var region: String
    public var instanceType: String
    public var imageOwner: String
    public var imageName: String
    /// The VPC: the node network widened to its /16 (AWS's largest VPC), as the tutorial does.
    public var vpcCIDR: IPv4CIDR
    /// The one subnet: network.nodeCIDR.
    public var subnetCIDR: IPv4CIDR
    /// `<region>.compute.internal`, or `ec2.internal` in us-east-1.
    public var dhcpDomainName: String
    public var rules: [IngressRule]
    public var instances: [InstanceDesign]
    /// The network load balancer, when loadBalancer.kind is external.
    public var loadBalancer: LoadBalancerDesign?
    /// Names for the key pair and security group (the cluster name).
    public var keyPairName: String
    public var securityGroupName: String

    public static let clusterTag = "hardway:cluster"
    public static let roleTag = "hardway:role"
    public static let hostTag = "hardway:host"

    public struct IngressRule: Sendable, Hashable, Codable {
        /// tcp, udp, icmp, or -1 (every protocol).
        public var proto: String
        public var fromPort: Int
        public var toPort: Int
        public var cidr: String
        public var why: String

        public init(_ proto: String, _ fromPort: Int, _ toPort: Int, _ cidr: String, why: String) {
            self.proto = proto
            self.fromPort = fromPort
            self.toPort = toPort
            self.cidr = cidr
            self.why = why
        }

        /// Two rules are the same rule when AWS would say so: the reason is ours alone.
        public func matches(_ other: IngressRule) -> Bool {
            proto == other.proto && cidr == other.cidr && (proto == "-1" || (fromPort == other.fromPort && toPort == other.toPort))
        }

        public var summary: String {
            let ports: String
            switch proto {
            case "-1": ports = "all traffic"
            case "icmp": ports = "icmp"
            default: ports = fromPort == toPort ? "\(proto) \(fromPort)" : "\(proto) \(fromPort)-\(toPort)"
            }
            return "\(ports) from \(cidr)"
        }
    }

    public struct InstanceDesign: Sendable, Equatable {
        public var host: String
        public var privateAddress: String
        /// `name=worker-0|pod-cidr=172.20.0.0/24`, as the tutorial passes it.
        public var userData: String
        public var nameTag: String
        public var podCIDR: String?
        public var isController: Bool
    }

    public struct LoadBalancerDesign: Sendable, Equatable {
        public var name: String
        public var targetGroupName: String
        /// The listener's port (api.port); targets get the API server's 6443.
        public var listenerPort: Int
        public var targetPort: Int
        public var targets: [String]
    }

    /// Tags every resource gets: `Name`, the cluster, and what it is to hardway.
    public func tags(role: String, name: String? = nil, host: String? = nil) -> [(String, String)] {
        var tags = [("Name", name ?? cluster), (Self.clusterTag, cluster), (Self.roleTag, role)]
        if let host { tags.append((Self.hostTag, host)) }
        return tags
    }

    /// Errors that stop the design: each with the field and the fix.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var field: String
        public var message: String
        public var fix: String
        public var description: String { "\(field): \(message)" }
    }

    public static func make(for cluster: Cluster, environmentRegion overrideRegion: String? = nil) throws -> InfraDesign {
        guard let infra = cluster.infra else {
            throw Problem(field: "infra", message: "the cluster file has no infra section", fix: "add `infra:` with provider: aws and region, as in `hardway init --example aws`")
        }
        guard let nodeCIDR = cluster.network.nodeCIDR else {
            throw Problem(field: "network.nodeCIDR", message: "infra needs the node network: it becomes the subnet", fix: "set network.nodeCIDR, like 172.31.0.0/24")
        }
        guard (16...28).contains(nodeCIDR.prefixLength) else {
            throw Problem(field: "network.nodeCIDR", message: "\(nodeCIDR) cannot be an AWS subnet: its prefix must be /16 to /28",
                          fix: "use a /24 like 172.31.0.0/24")
        }
        let vpcCIDR = IPv4CIDR(network: IPv4Address(nodeCIDR.network.value & IPv4CIDR.mask(16)), prefixLength: 16)
        // AWS keeps the first four addresses of a subnet and its last one for itself.
        for host in cluster.hosts {
            let offset = host.address.value &- nodeCIDR.network.value
            if offset < 4 || host.address == nodeCIDR.lastAddress {
                throw Problem(field: "hosts[\(host.name)].address", message: "\(host.address) is reserved by AWS in \(nodeCIDR) (the first four addresses and the last)",
                              fix: "give \(host.name) an address from \(nodeCIDR.address(at: 4).map { "\($0)" } ?? "the subnet") up")
            }
        }
        guard let region = infra.region ?? overrideRegion else {
            throw Problem(field: "infra.region", message: "not set, and neither is AWS_REGION", fix: "set infra.region in the cluster file, like us-east-2, or export AWS_REGION")
        }
        let instances = cluster.hosts.map { host -> InstanceDesign in
            var userData = "name=\(host.name)"
            if let pod = host.podCIDR { userData += "|pod-cidr=\(pod)" }
            return InstanceDesign(host: host.name, privateAddress: host.address.description, userData: userData,
                                  nameTag: "\(cluster.name)-\(host.name)", podCIDR: host.podCIDR?.description, isController: host.has(.controller))
        }
        var loadBalancer: LoadBalancerDesign?
        if cluster.loadBalancer.kind == .external {
            loadBalancer = LoadBalancerDesign(name: elbName(cluster.name), targetGroupName: elbName(cluster.name),
                                              listenerPort: cluster.api.port, targetPort: ClusterResolver.apiServerSecurePort,
                                              targets: cluster.controllers.map(\.address.description))
        }
        let subnet = nodeCIDR.description
        let rules = [
            IngressRule("tcp", 2379, 2380, subnet, why: "etcd clients and peers"),
            IngressRule("tcp", 30000, 32767, subnet, why: "NodePort services"),
            IngressRule("tcp", 10250, 10250, subnet, why: "the API server reaching each kubelet (logs, exec)"),
            IngressRule("tcp", ClusterResolver.apiServerSecurePort, ClusterResolver.apiServerSecurePort, "0.0.0.0/0", why: "the Kubernetes API"),
            IngressRule("tcp", 22, 22, "0.0.0.0/0", why: "ssh"),
            IngressRule("icmp", -1, -1, "0.0.0.0/0", why: "ping"),
            IngressRule("-1", -1, -1, cluster.network.podCIDR.description, why: "pod to pod across the pod routes"),
        ]
        return InfraDesign(cluster: cluster.name, region: region, instanceType: infra.instanceType,
                           imageOwner: infra.imageOwner, imageName: infra.imageName,
                           vpcCIDR: vpcCIDR, subnetCIDR: nodeCIDR,
                           dhcpDomainName: region == "us-east-1" ? "ec2.internal" : "\(region).compute.internal",
                           rules: rules, instances: instances, loadBalancer: loadBalancer,
                           keyPairName: cluster.name, securityGroupName: cluster.name)
    }

    /// Load balancer and target group names: at most 32 letters, digits and hyphens.
    static func elbName(_ cluster: String) -> String {
        let cleaned = String(cluster.map { $0.isLetter || $0.isNumber ? $0 : "-" }).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        guard cleaned.count > 32 else { return cleaned }
        let digest = SHA256.hash(data: Array(cluster.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
        return String(cleaned.prefix(23)).trimmingCharacters(in: CharacterSet(charactersIn: "-")) + "-" + digest
    }
}

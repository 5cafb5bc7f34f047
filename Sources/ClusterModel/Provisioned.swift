/// What earlier runs made known in the cluster's directory: `hardway infra apply` the NLB's DNS name
/// and each host's public address; `hardway apply` the pod CIDR each worker was given.
public struct Provisioned: Sendable, Equatable {
    public var loadBalancerDNSName: String?
    public var publicAddresses: [String: String]
    /// Worker name → the pod CIDR its node has had since it was first applied (`applied.json`): a
    /// worker the file pins no range for keeps it, whatever the hosts' order.
    public var podCIDRs: [String: String]
    /// Host → component → the version apply last gave it (`applied.json`): what an upgrade starts
    /// from, and what its refusals (a skipped minor, a downgrade) are judged against.
    public var versions: [String: [String: String]]

    public init(loadBalancerDNSName: String? = nil, publicAddresses: [String: String] = [:], podCIDRs: [String: String] = [:],
                versions: [String: [String: String]] = [:]) {
        self.loadBalancerDNSName = loadBalancerDNSName
        self.publicAddresses = publicAddresses
        self.podCIDRs = podCIDRs
        self.versions = versions
    }
}

/// What `hardway infra apply` made known: the NLB's DNS name and each host's public address.
public struct Provisioned: Sendable, Equatable {
    public var loadBalancerDNSName: String?
    public var publicAddresses: [String: String]

    public init(loadBalancerDNSName: String?, publicAddresses: [String: String]) {
        self.loadBalancerDNSName = loadBalancerDNSName
        self.publicAddresses = publicAddresses
    }
}

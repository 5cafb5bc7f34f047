/// How kube-proxy programs service addresses (`network.proxyMode`): iptables (the default of every
/// release), nftables (beta and on by default from 1.31, GA from 1.33) or ipvs (deprecated from 1.35).
public enum ProxyMode: String, Sendable, CaseIterable, Codable {
    case iptables, nftables, ipvs
}

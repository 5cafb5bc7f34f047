/// The node, pod and service networks, the service and DNS addresses, and each worker's pod CIDR.
extension ClusterResolver.Context {
    mutating func cidr(_ text: String?, path: String, default defaultValue: String?) -> IPv4CIDR? {
        guard let text = text ?? defaultValue else { return nil }
        switch IPv4CIDR.parse(text) {
        case .success(let cidr):
            return cidr
        case .failure(.hostBitsSet(let suggestion)):
            error("invalid-cidr", path, "\"\(text)\" has host bits set", fix: "write the network address: \(suggestion)")
        case .failure(.malformed):
            error("invalid-cidr", path, "\"\(text)\" is not a CIDR", fix: "write an IPv4 network with its prefix length, like \(defaultValue ?? "172.31.0.0/24")")
        }
        return nil
    }

    mutating func resolveNetwork() -> Cluster.Network? {
        let network = spec.network
        let nodeCIDR = cidr(network?.nodeCIDR, path: "network.nodeCIDR", default: nil)
        let podCIDR = cidr(network?.podCIDR, path: "network.podCIDR", default: ClusterResolver.defaultPodCIDR)
        let serviceCIDR = cidr(network?.serviceCIDR, path: "network.serviceCIDR", default: ClusterResolver.defaultServiceCIDR)
        let clusterDomain = network?.clusterDomain ?? ClusterResolver.defaultClusterDomain
        var domainValid = true
        if !DNSName.isHostName(clusterDomain) || clusterDomain.hasPrefix("*") {
            error("invalid-name", "network.clusterDomain", "\"\(clusterDomain)\" is not a DNS domain", fix: "use \(ClusterResolver.defaultClusterDomain) unless you have a reason not to")
            domainValid = false
        }

        let named: [(String, IPv4CIDR?)] = [("network.podCIDR", podCIDR), ("network.serviceCIDR", serviceCIDR), ("network.nodeCIDR", nodeCIDR)]
        for (i, (pathA, a)) in named.enumerated() {
            for (pathB, b) in named[(i + 1)...] {
                guard let a, let b, a.overlaps(b) else { continue }
                error("cidr-overlap", pathB, "\(b) overlaps \(pathA) \(a)",
                      fix: "choose ranges that share no address (the tutorials use 10.200.0.0/16 for pods, 10.32.0.0/24 for services)")
            }
        }

        guard let podCIDR, let serviceCIDR, domainValid else { return nil }
        guard serviceCIDR.prefixLength <= 28 else {
            error("cidr-too-small", "network.serviceCIDR", "\(serviceCIDR) has \(serviceCIDR.size) addresses; the DNS service needs the tenth",
                  fix: "use a /24 like \(ClusterResolver.defaultServiceCIDR)")
            return nil
        }
        return Cluster.Network(nodeCIDR: nodeCIDR, podCIDR: podCIDR, serviceCIDR: serviceCIDR, clusterDomain: clusterDomain,
                               apiServiceIP: serviceCIDR.address(at: 1)!, dnsServiceIP: serviceCIDR.address(at: 10)!)
    }

    /// The hosts with every worker's pod CIDR: its own, or the one `allocatePodCIDRs` chose.
    mutating func withPodCIDRs(_ hostResult: HostResult, network: Cluster.Network?) -> [Machine] {
        let hosts = hostResult.hosts
        let workers = allocatePodCIDRs(hosts: hosts, specIndex: hostResult.specIndex, network: network)
        return hosts.map { host in workers[host.name].map { cidr in var copy = host; copy.podCIDR = cidr; return copy } ?? host }
    }

    /// Checks the pod CIDRs workers name and gives every other worker the next free /24.
    mutating func allocatePodCIDRs(hosts: [Machine], specIndex: [String: Int], network: Cluster.Network?) -> [String: IPv4CIDR] {
        guard let network else { return [:] }
        var assigned: [String: IPv4CIDR] = [:]
        var taken: [(String, IPv4CIDR)] = []
        let workers = hosts.filter { $0.has(.worker) }
        for worker in workers {
            guard let cidr = worker.podCIDR else { continue }
            let path = "hosts[\(specIndex[worker.name] ?? 0)].podCIDR"
            if !network.podCIDR.contains(cidr) {
                error("pod-cidr-outside", path, "\(cidr) is outside network.podCIDR \(network.podCIDR)",
                      fix: "use a /24 inside \(network.podCIDR), like \(network.podCIDR.subnet(prefixLength: max(24, network.podCIDR.prefixLength), index: 0) ?? network.podCIDR), or remove it to let hardway choose")
                continue
            }
            if let (other, _) = taken.first(where: { $0.1.overlaps(cidr) }) {
                error("pod-cidr-shared", path, "\(cidr) overlaps the pod CIDR of \(other)",
                      fix: "give every worker its own range, or remove it to let hardway choose")
                continue
            }
            taken.append((worker.name, cidr))
            assigned[worker.name] = cidr
        }
        // A worker applied before keeps its range (a pin in the file wins, so one that now takes it
        // is refused: the node would lose the addresses of its pods).
        for worker in workers where worker.podCIDR == nil {
            guard let text = recordedPodCIDRs[worker.name], let cidr = IPv4CIDR(text), network.podCIDR.contains(cidr) else { continue }
            if let (other, _) = taken.first(where: { $0.1.overlaps(cidr) }) {
                error("pod-cidr-taken", "hosts[\(specIndex[other] ?? 0)].podCIDR",
                      "\(other)'s podCIDR overlaps \(cidr), the range \(worker.name) has had since it was first applied (applied.json), where its pods have their addresses",
                      fix: "give \(other) another range, or remove its podCIDR to let hardway choose a free one")
                continue
            }
            taken.append((worker.name, cidr))
            assigned[worker.name] = cidr
        }
        let needing = workers.filter { $0.podCIDR == nil && assigned[$0.name] == nil }
        guard !needing.isEmpty else { return assigned }
        guard network.podCIDR.prefixLength <= 24 else {
            error("cidr-too-small", "network.podCIDR", "\(network.podCIDR) is too small to give each worker a /24",
                  fix: "use a larger range like \(ClusterResolver.defaultPodCIDR), or set podCIDR on every worker")
            return assigned
        }
        // Each new worker takes the lowest free /24.
        var index = 0
        for worker in needing {
            while let candidate = network.podCIDR.subnet(prefixLength: 24, index: index), taken.contains(where: { $0.1.overlaps(candidate) }) {
                index += 1
            }
            guard let candidate = network.podCIDR.subnet(prefixLength: 24, index: index) else {
                error("cidr-too-small", "network.podCIDR", "\(network.podCIDR) has no free /24 left for \(worker.name)",
                      fix: "use a larger range like \(ClusterResolver.defaultPodCIDR)")
                break
            }
            taken.append((worker.name, candidate))
            assigned[worker.name] = candidate
            index += 1
        }
        return assigned
    }
}

/// The hosts: names, addresses, roles, and whether the roles make a cluster.
extension ClusterResolver.Context {
    struct HostResult {
        var hosts: [Machine] = []
        /// Host name → its index in the spec's hosts list, for field paths.
        var specIndex: [String: Int] = [:]
        /// False when some host entry could not be resolved; rules about the whole set then stay quiet.
        var allNamed = true
    }

    mutating func resolveHosts(network: Cluster.Network?) -> HostResult {
        var result = HostResult()
        guard let specHosts = spec.hosts, !specHosts.isEmpty else {
            error("missing-field", "hosts", "no hosts", fix: "list the machines: `- { name: master-0, address: 10.240.0.10, roles: [controller] }`")
            result.allNamed = false
            return result
        }
        var namesSeen: [String: Int] = [:]
        var addressesSeen: [IPv4Address: Int] = [:]
        for (index, hostSpec) in specHosts.enumerated() {
            let path = "hosts[\(index)]"
            var name: String?
            switch hostSpec.name {
            case nil, "":
                error("missing-field", "\(path).name", "missing", fix: "give every host a name, like worker-\(index)")
            case let value? where !DNSName.isLabel(value):
                error("invalid-host-name", "\(path).name", "\"\(value)\" is not a DNS label (lowercase letters, digits and '-', at most 63): Kubernetes rejects such node names",
                      fix: "rename it to \"\(DNSName.suggestedLabel(for: value))\"")
            case let value?:
                if let first = namesSeen[value] {
                    error("duplicate-host-name", "\(path).name", "\"\(value)\" is already the name of hosts[\(first)]", fix: "give every host its own name")
                } else {
                    namesSeen[value] = index
                    name = value
                }
            }

            var address: IPv4Address?
            switch hostSpec.address {
            case nil, "":
                error("missing-field", "\(path).address", "missing", fix: "give the host's private IPv4 address, like 10.240.0.\(10 + index)")
            case let text?:
                if let parsed = IPv4Address(text) {
                    address = parsed
                    if let first = addressesSeen[parsed] {
                        error("duplicate-address", "\(path).address", "\(parsed) is already the address of hosts[\(first)]", fix: "give every host its own address")
                    } else {
                        addressesSeen[parsed] = index
                    }
                    checkHostAddress(parsed, path: "\(path).address", network: network)
                } else {
                    error("invalid-ip", "\(path).address", "\"\(text)\" is not an IPv4 address", fix: "write four numbers 0-255 separated by dots, like 10.240.0.\(10 + index)")
                }
            }

            var roles: [Role] = []
            switch hostSpec.roles {
            case nil:
                error("missing-field", "\(path).roles", "missing", fix: "give the host's roles, like [controller] or [worker]; known roles: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            case let list? where list.isEmpty:
                error("missing-field", "\(path).roles", "empty", fix: "give the host at least one role: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            case let list?:
                for (roleIndex, text) in list.enumerated() {
                    if let role = Role(rawValue: text) ?? Role(rawValue: text.lowercased()) {
                        if !roles.contains(role) { roles.append(role) }
                    } else {
                        error("invalid-value", "\(path).roles[\(roleIndex)]", "unknown role \"\(text)\"",
                              fix: "use one of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))" + (text == "master" ? " (a master is a `controller`)" : ""))
                    }
                }
            }

            var podCIDR: IPv4CIDR?
            if let text = hostSpec.podCIDR {
                podCIDR = cidr(text, path: "\(path).podCIDR", default: nil)
                if !roles.isEmpty, !roles.contains(.worker) {
                    warning("pod-cidr-ignored", "\(path).podCIDR", "only workers get a pod CIDR; this one is ignored", fix: "remove it, or add the worker role")
                    podCIDR = nil
                }
            }

            var sshAddress: String?
            if let text = hostSpec.sshAddress {
                if IPv4Address(text) != nil || DNSName.isHostName(text) {
                    sshAddress = text
                } else {
                    error("invalid-address", "\(path).sshAddress", "\"\(text)\" is neither an IPv4 address nor a host name",
                          fix: "write the address or DNS name hardway should connect to, or remove it to use `address`")
                }
            }

            if sshAddress == nil, let name, let provisioned = publicAddresses[name] { sshAddress = provisioned }

            if let name, let address, !roles.isEmpty {
                result.specIndex[name] = index
                result.hosts.append(Machine(name: name, address: address, roles: roles, podCIDR: podCIDR, sshAddress: sshAddress))
            } else {
                result.allNamed = false
            }
        }
        return result
    }

    mutating func checkHostAddress(_ address: IPv4Address, path: String, network: Cluster.Network?) {
        if address.isLoopback || address.value == 0 {
            error("invalid-ip", path, "\(address) cannot be reached from other machines", fix: "use the host's private address on the node network")
        }
        if let nodeCIDR = parsedSpecCIDR(spec.network?.nodeCIDR), !nodeCIDR.contains(address) {
            error("address-outside-node-cidr", path, "\(address) is outside network.nodeCIDR \(nodeCIDR)",
                  fix: "use an address inside \(nodeCIDR), or change network.nodeCIDR")
        }
        if let network {
            if network.podCIDR.contains(address) {
                error("address-in-pod-cidr", path, "\(address) is inside network.podCIDR \(network.podCIDR): pod routes would capture it",
                      fix: "move the pod CIDR to a range no host uses, like \(ClusterResolver.defaultPodCIDR)")
            }
            if network.serviceCIDR.contains(address) {
                error("address-in-service-cidr", path, "\(address) is inside network.serviceCIDR \(network.serviceCIDR): kube-proxy would capture it",
                      fix: "move the service CIDR to a range no host uses, like \(ClusterResolver.defaultServiceCIDR)")
            }
        }
    }

    func parsedSpecCIDR(_ text: String?) -> IPv4CIDR? { text.flatMap(IPv4CIDR.init) }

    /// A cluster needs a controller, and pods a worker; quiet when some host could not be read.
    mutating func checkRoles(_ hosts: [Machine], allNamed: Bool) {
        if spec.hosts?.isEmpty == false, !hosts.contains(where: { $0.has(.controller) }), allNamed {
            error("no-controller", "hosts", "no host has the controller role",
                  fix: "add `controller` to the roles of at least one host (3 for high availability)")
        }
        if spec.hosts?.isEmpty == false, allNamed, hosts.allSatisfy({ !$0.has(.worker) }), !hosts.isEmpty {
            warning("no-worker", "hosts", "no host has the worker role: pods will have nowhere to run",
                    fix: "add `worker` to the roles of at least one host")
        }
    }
}

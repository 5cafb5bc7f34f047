import Foundation

/// The load balancer (kind, host) and the API endpoint clients reach through it, with its extra SANs.
extension ClusterResolver.Context {
    mutating func resolveLoadBalancer(hosts: [Machine], specIndex: [String: Int]) -> Cluster.LoadBalancer? {
        let section = spec.loadBalancer
        let kind: LoadBalancerKind
        switch section?.kind {
        case nil where section == nil:
            kind = .none
        case nil:
            error("missing-field", "loadBalancer.kind", "missing", fix: "set it to one of: \(LoadBalancerKind.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        case let text?:
            guard let parsed = LoadBalancerKind(rawValue: text.lowercased()) else {
                error("invalid-value", "loadBalancer.kind", "unknown kind \"\(text)\"", fix: "use one of: \(LoadBalancerKind.allCases.map(\.rawValue).joined(separator: ", "))")
                return nil
            }
            kind = parsed
        }

        let controllers = hosts.filter { $0.has(.controller) }
        var lbHost: Machine?
        switch kind {
        case .haproxy, .nginx:
            let candidates = hosts.filter { $0.has(.loadbalancer) }.map(\.name)
            let suggestion = candidates.isEmpty ? "add a host with roles: [loadbalancer] and name it here" : "set it to \(candidates.joined(separator: " or "))"
            guard let name = section?.host, !name.isEmpty else {
                error("missing-host", "loadBalancer.host", "\(kind.rawValue) needs the host that runs it", fix: suggestion)
                return nil
            }
            guard let host = hosts.first(where: { $0.name == name }) else {
                if spec.hosts?.contains(where: { $0.name == name }) != true {
                    error("missing-host", "loadBalancer.host", "there is no host named \"\(name)\"", fix: suggestion)
                }
                return nil
            }
            if !host.has(.loadbalancer) {
                error("missing-role", "loadBalancer.host", "\(name) does not have the loadbalancer role",
                      fix: "add `loadbalancer` to hosts[\(specIndex[name] ?? 0)].roles")
            }
            if host.has(.controller), (spec.api?.port ?? ClusterResolver.defaultAPIPort) == ClusterResolver.apiServerSecurePort {
                error("port-conflict", "loadBalancer.host", "\(name) would run both \(kind.rawValue) and kube-apiserver on port \(ClusterResolver.apiServerSecurePort)",
                      fix: "run the load balancer on its own host, or set api.port to another port such as 8443")
            }
            lbHost = host
            for other in hosts where other.has(.loadbalancer) && other.name != name {
                warning("unused-role", "hosts[\(specIndex[other.name] ?? 0)].roles", "\(other.name) has the loadbalancer role but loadBalancer.host is \(name): nothing runs there",
                        fix: "remove the role, or make \(other.name) the load balancer")
            }
        case .external, .none:
            if let name = section?.host {
                warning("ignored-field", "loadBalancer.host", "\"\(name)\" is ignored: kind \(kind.rawValue) runs no load balancer on a host",
                        fix: "remove it, or use kind haproxy or nginx")
            }
            for other in hosts where other.has(.loadbalancer) {
                warning("unused-role", "hosts[\(specIndex[other.name] ?? 0)].roles", "\(other.name) has the loadbalancer role but loadBalancer.kind is \(kind.rawValue): nothing runs there",
                        fix: "remove the role, or set loadBalancer.kind to haproxy or nginx with host \(other.name)")
            }
        }

        if kind == .none, controllers.count > 1 {
            warning("no-load-balancer", "loadBalancer.kind", "\(controllers.count) controllers but no load balancer: clients reach only api.endpoint, and lose the API when that controller fails",
                    fix: "set loadBalancer.kind to haproxy, nginx or external")
        }
        if kind != .none, controllers.count == 1 {
            warning("single-controller", "loadBalancer.kind", "one controller behind a load balancer: the API is not highly available",
                    fix: "add controllers (3 tolerate the loss of one), or use loadBalancer.kind none")
        }
        return Cluster.LoadBalancer(kind: kind, host: lbHost)
    }

    mutating func resolveAPI(loadBalancer: Cluster.LoadBalancer?, controllers: [Machine]) -> Cluster.API? {
        let section = spec.api
        let port = self.port(section?.port, path: "api.port", default: ClusterResolver.defaultAPIPort,
                             fix: "use 1-65535; the tutorials use \(ClusterResolver.defaultAPIPort)")

        var endpoint: APIEndpoint?
        switch section?.endpoint {
        case nil, "":
            let hint: String
            if let host = loadBalancer?.host {
                hint = "set it to the load balancer's address: `api.endpoint: \(host.address)` (\(host.name))"
            } else if controllers.count == 1, let only = controllers.first {
                hint = "set it to the controller's address: `api.endpoint: \(only.address)` (\(only.name))"
            } else {
                hint = "set it to the address or DNS name clients use to reach the API server (the load balancer), or `auto` with `hardway infra`"
            }
            error("missing-endpoint", "api.endpoint", "missing: clients and kubeconfigs need the API server's address", fix: hint)
        case "auto"?:
            if spec.infra == nil {
                error("invalid-endpoint", "api.endpoint", "`auto` takes the AWS load balancer's DNS name from `hardway infra`, but the file has no infra section",
                      fix: "add an `infra:` section (provider: aws, region), or set api.endpoint to an address")
            }
            if let kind = loadBalancer?.kind, kind != .external {
                error("invalid-endpoint", "api.endpoint", "`auto` is the AWS network load balancer, but loadBalancer.kind is \(kind.rawValue)",
                      fix: "set loadBalancer.kind to external")
            }
            if autoEndpoint == nil {
                warning("endpoint-unknown", "api.endpoint", "the load balancer's DNS name is not known until `hardway infra apply` has run; the API server certificate and remote kubeconfigs wait for it",
                        fix: "run `hardway infra apply`, then issue the PKI again")
            }
            endpoint = .auto(resolved: autoEndpoint)
        case let text?:
            if let address = IPv4Address(text) {
                endpoint = .address(address)
                if let host = loadBalancer?.host, host.address != address {
                    warning("endpoint-mismatch", "api.endpoint", "\(address) is not the address of the load balancer \(host.name) (\(host.address))",
                            fix: "use \(host.address) unless \(address) is a virtual address that reaches it")
                }
                if loadBalancer?.kind == LoadBalancerKind.none, !controllers.isEmpty, !controllers.contains(where: { $0.address == address }) {
                    warning("endpoint-mismatch", "api.endpoint", "\(address) is not a controller's address, and there is no load balancer",
                            fix: "use \(controllers[0].address) (\(controllers[0].name)), or configure a load balancer")
                }
            } else if DNSName.isHostName(text), !text.hasPrefix("*") {
                endpoint = .hostName(text)
            } else {
                error("invalid-endpoint", "api.endpoint", "\"\(text)\" is neither an IPv4 address nor a DNS name",
                      fix: "write the load balancer's address or DNS name, like 172.31.0.5 or k8s.example.com")
            }
        }

        var extraSANs: [String] = []
        for (index, entry) in (section?.extraSANs ?? []).enumerated() {
            let path = "api.extraSANs[\(index)]"
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                error("empty-san", path, "an empty entry would put an empty name (`DNS:`) in the API server certificate",
                      fix: "remove it; an empty value usually means a variable that was never set")
            } else if IPv4Address(trimmed) != nil || DNSName.isHostName(trimmed) {
                if !extraSANs.contains(trimmed) { extraSANs.append(trimmed) }
            } else if trimmed.contains(":") {
                error("invalid-san", path, "\"\(trimmed)\": IPv6 addresses are not supported yet", fix: "use an IPv4 address or a DNS name")
            } else {
                error("invalid-san", path, "\"\(trimmed)\" is neither an IPv4 address nor a DNS name", fix: "write an address like 203.0.113.7 or a name like k8s.example.com")
            }
        }
        guard let endpoint, let port else { return nil }
        return Cluster.API(endpoint: endpoint, port: port, extraSANs: extraSANs)
    }
}

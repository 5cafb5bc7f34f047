import Foundation

/// The outcome of resolving a spec: a `Cluster` when there are no errors, and every diagnostic.
public struct Resolution: Sendable {
    public var cluster: Cluster?
    public var diagnostics: [Diagnostic]
}

/// Defaults, derived values and every validation rule, in one place. Each rule reports its field
/// path and the fix; all rules run, so a user sees every problem at once.
public enum ClusterResolver {
    public static let supportedAPIVersion = "hardway/v1"
    public static let defaultKubernetesVersion = "v1.31.4"
    public static let defaultEtcdVersion = "v3.5.17"
    /// The Kubernetes minors hardway renders files for (Render's KubernetesRelease.supported; a test keeps them equal).
    public static let supportedKubernetesMinors = ["1.20", "1.30", "1.31", "1.32"]
    public static let defaultPodCIDR = "10.200.0.0/16"
    public static let defaultServiceCIDR = "10.32.0.0/24"
    public static let defaultClusterDomain = "cluster.local"
    public static let defaultAPIPort = 6443
    /// The port every kube-apiserver listens on; the load balancer forwards `api.port` to it.
    public static let apiServerSecurePort = 6443
    public static let defaultValidity = ValidityDuration(hours: 8760)
    public static let defaultCAValidity = ValidityDuration(hours: 87600)

    /// - Parameter autoEndpoint: the AWS load balancer's DNS name when `hardway infra` knows it.
    public static func resolve(_ spec: ClusterSpec, autoEndpoint: String? = nil, provisioned: Provisioned? = nil) -> Resolution {
        var context = Context(spec: spec, autoEndpoint: autoEndpoint ?? provisioned?.loadBalancerDNSName,
                              publicAddresses: provisioned?.publicAddresses ?? [:])
        let cluster = context.resolve()
        let diagnostics = context.diagnostics
        return Resolution(cluster: diagnostics.hasErrors ? nil : cluster, diagnostics: diagnostics)
    }

    /// Parses and resolves cluster file text; diagnostics carry the line of their field.
    public static func resolve(text: String, autoEndpoint: String? = nil, provisioned: Provisioned? = nil) -> Resolution {
        resolve(parsed: ClusterFileParser.parse(text), autoEndpoint: autoEndpoint, provisioned: provisioned)
    }

    /// Resolves a file already parsed (by a caller that needed its spec first).
    public static func resolve(parsed: ParsedClusterFile, autoEndpoint: String? = nil, provisioned: Provisioned? = nil) -> Resolution {
        // A file that is not a YAML mapping has no fields to check: its parse error is the whole story.
        if parsed.diagnostics.contains(where: { $0.path.isEmpty && $0.isError }) {
            return Resolution(cluster: nil, diagnostics: parsed.diagnostics)
        }
        var resolution = resolve(parsed.spec, autoEndpoint: autoEndpoint, provisioned: provisioned)
        // Shape errors (unknown keys, wrong types) come first: later rules may only echo them.
        var diagnostics = parsed.diagnostics
        for var diagnostic in resolution.diagnostics where !parsed.diagnostics.contains(where: { $0.path == diagnostic.path && $0.isError && diagnostic.isError }) {
            if diagnostic.line == nil { diagnostic.line = parsed.line(for: diagnostic.path) }
            diagnostics.append(diagnostic)
        }
        if parsed.diagnostics.hasErrors { resolution.cluster = nil }
        resolution.diagnostics = diagnostics
        return resolution
    }
}

/// What `hardway infra apply` made known: the NLB's DNS name and each host's public address.
public struct Provisioned: Sendable, Equatable {
    public var loadBalancerDNSName: String?
    public var publicAddresses: [String: String]

    public init(loadBalancerDNSName: String?, publicAddresses: [String: String]) {
        self.loadBalancerDNSName = loadBalancerDNSName
        self.publicAddresses = publicAddresses
    }
}

private struct Context {
    let spec: ClusterSpec
    let autoEndpoint: String?
    /// Host name → public address: where hardway connects when the host names no sshAddress.
    let publicAddresses: [String: String]
    var diagnostics: [Diagnostic] = []

    init(spec: ClusterSpec, autoEndpoint: String?, publicAddresses: [String: String]) {
        self.spec = spec
        self.autoEndpoint = autoEndpoint
        self.publicAddresses = publicAddresses
    }

    mutating func error(_ code: String, _ path: String, _ message: String, fix: String? = nil) {
        diagnostics.append(.error(code, at: path, message, fix: fix))
    }

    mutating func warning(_ code: String, _ path: String, _ message: String, fix: String? = nil) {
        diagnostics.append(.warning(code, at: path, message, fix: fix))
    }

    // MARK: - the whole file

    mutating func resolve() -> Cluster? {
        checkHeader()
        let name = resolveName()
        let kubernetesVersion = resolveVersion(spec.kubernetesVersion, path: "kubernetesVersion",
                                               default: ClusterResolver.defaultKubernetesVersion)
        if let kubernetesVersion, !ClusterResolver.supportedKubernetesMinors.contains(String(kubernetesVersion.dropFirst().split(separator: ".").prefix(2).joined(separator: "."))) {
            error("unsupported-version", "kubernetesVersion", "hardway has no flags or file formats for Kubernetes \(kubernetesVersion)",
                  fix: "use a release of \(ClusterResolver.supportedKubernetesMinors.map { "v\($0)" }.joined(separator: ", ")) (v1.20.2 is built here from Debian's source by `hardway binaries build`)")
        }
        let etcdVersion = resolveVersion(spec.etcdVersion, path: "etcdVersion", default: ClusterResolver.defaultEtcdVersion)
        let network = resolveNetwork()
        let hostResult = resolveHosts(network: network)
        let hosts = hostResult.hosts
        let workers = allocatePodCIDRs(hosts: hosts, specIndex: hostResult.specIndex, network: network)
        let resolvedHosts = hosts.map { host in workers[host.name].map { cidr in var copy = host; copy.podCIDR = cidr; return copy } ?? host }

        let controllers = resolvedHosts.filter { $0.has(.controller) }
        if spec.hosts?.isEmpty == false, controllers.isEmpty, hostResult.allNamed {
            error("no-controller", "hosts", "no host has the controller role",
                  fix: "add `controller` to the roles of at least one host (3 for high availability)")
        }
        if spec.hosts?.isEmpty == false, hostResult.allNamed, resolvedHosts.allSatisfy({ !$0.has(.worker) }), !resolvedHosts.isEmpty {
            warning("no-worker", "hosts", "no host has the worker role: pods will have nowhere to run",
                    fix: "add `worker` to the roles of at least one host")
        }

        let loadBalancer = resolveLoadBalancer(hosts: resolvedHosts, specIndex: hostResult.specIndex)
        let api = resolveAPI(loadBalancer: loadBalancer, controllers: controllers)
        let etcdMembers = resolveEtcd(hosts: resolvedHosts, controllers: controllers, allNamed: hostResult.allNamed)
        let pki = resolvePKI()
        let encryption = resolveEncryption()
        let ssh = resolveSSH()
        let infra = resolveInfra(network: network)

        guard let name, let kubernetesVersion, let etcdVersion, let network, let api, let loadBalancer,
              let pki, let encryption, let ssh else { return nil }
        return Cluster(name: name, kubernetesVersion: kubernetesVersion, etcdVersion: etcdVersion, network: network,
                       api: api, loadBalancer: loadBalancer, etcdMembers: etcdMembers, pki: pki, encryption: encryption,
                       ssh: ssh, binaries: Cluster.Binaries(dir: spec.binaries?.dir), addons: Cluster.Addons(dns: spec.addons?.dns ?? true),
                       hosts: resolvedHosts, infra: infra)
    }

    mutating func checkHeader() {
        switch spec.apiVersion {
        case nil:
            error("missing-field", "apiVersion", "missing", fix: "add `apiVersion: \(ClusterResolver.supportedAPIVersion)` at the top")
        case let version? where version != ClusterResolver.supportedAPIVersion:
            error("invalid-value", "apiVersion", "\"\(version)\" is not supported",
                  fix: "this hardway reads `apiVersion: \(ClusterResolver.supportedAPIVersion)`")
        default: break
        }
        switch spec.kind {
        case nil:
            error("missing-field", "kind", "missing", fix: "add `kind: Cluster` at the top")
        case let kind? where kind != "Cluster":
            error("invalid-value", "kind", "\"\(kind)\" is not a kind hardway reads", fix: "write `kind: Cluster`")
        default: break
        }
    }

    mutating func resolveName() -> String? {
        guard let name = spec.name, !name.isEmpty else {
            error("missing-field", "name", "missing", fix: "add `name: my-cluster`: it names the kubeconfig cluster, the output directory and AWS tags")
            return nil
        }
        guard DNSName.isLabel(name) else {
            error("invalid-name", "name", "\"\(name)\" is not a DNS label (lowercase letters, digits and '-', at most 63)",
                  fix: "use a name like \"\(DNSName.suggestedLabel(for: name))\"")
            return nil
        }
        return name
    }

    mutating func resolveVersion(_ value: String?, path: String, default defaultValue: String) -> String? {
        guard let value else { return defaultValue }
        let numbers = value.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard value.hasPrefix("v"), numbers.count == 3, numbers.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
            let bare = value.hasPrefix("v") ? value : "v" + value
            error("invalid-version", path, "\"\(value)\" is not a release version", fix: "write it like \(defaultValue)" + (bare != value ? " (did you mean \(bare)?)" : ""))
            return nil
        }
        return value
    }

    // MARK: - network

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

    // MARK: - hosts

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
        let needing = workers.filter { $0.podCIDR == nil }
        guard !needing.isEmpty else { return assigned }
        guard network.podCIDR.prefixLength <= 24 else {
            error("cidr-too-small", "network.podCIDR", "\(network.podCIDR) is too small to give each worker a /24",
                  fix: "use a larger range like \(ClusterResolver.defaultPodCIDR), or set podCIDR on every worker")
            return assigned
        }
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

    // MARK: - load balancer and API endpoint

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
        let port = section?.port ?? ClusterResolver.defaultAPIPort
        var valid = true
        if !(1...65535).contains(port) {
            error("invalid-port", "api.port", "\(port) is not a TCP port", fix: "use 1-65535; the tutorials use \(ClusterResolver.defaultAPIPort)")
            valid = false
        }

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
        guard let endpoint, valid else { return nil }
        return Cluster.API(endpoint: endpoint, port: port, extraSANs: extraSANs)
    }

    // MARK: - etcd

    mutating func resolveEtcd(hosts: [Machine], controllers: [Machine], allNamed: Bool) -> [Machine] {
        var members: [Machine] = []
        if let names = spec.etcd?.hosts {
            if names.isEmpty {
                error("missing-field", "etcd.hosts", "empty: etcd needs at least one member", fix: "remove etcd.hosts to run etcd on every controller, or list 3 hosts")
            }
            for (index, name) in names.enumerated() {
                let path = "etcd.hosts[\(index)]"
                if members.contains(where: { $0.name == name }) {
                    error("duplicate-host-name", path, "\"\(name)\" is listed twice", fix: "list each etcd member once")
                } else if let host = hosts.first(where: { $0.name == name }) {
                    members.append(host)
                } else if spec.hosts?.contains(where: { $0.name == name }) != true {
                    let known = hosts.map(\.name).joined(separator: ", ")
                    error("missing-host", path, "there is no host named \"\(name)\"", fix: known.isEmpty ? "add it to hosts" : "use one of: \(known)")
                }
            }
            for host in hosts where host.has(.etcd) && !names.contains(host.name) {
                warning("unused-role", "etcd.hosts", "\(host.name) has the etcd role but is not in etcd.hosts: it will not run etcd",
                        fix: "add \(host.name) to etcd.hosts, or remove the role")
            }
        } else {
            let dedicated = hosts.filter { $0.has(.etcd) }
            members = dedicated.isEmpty ? controllers : dedicated
        }
        if allNamed, members.count % 2 == 0, !members.isEmpty {
            let path = spec.etcd?.hosts == nil ? "hosts" : "etcd.hosts"
            let tolerated = (members.count - 1) / 2
            let message = members.count == 2
                ? "2 etcd members tolerate no failure: losing either one stops the cluster, so this is not highly available"
                : "\(members.count) etcd members tolerate \(tolerated) failure\(tolerated == 1 ? "" : "s"), no more than \(members.count - 1) do, with more members to keep in sync"
            warning("even-etcd-members", path, message, fix: "use an odd number of etcd members: 3 tolerate one failure, 5 tolerate two")
        }
        return members
    }

    // MARK: - PKI, encryption, SSH, infra

    mutating func resolvePKI() -> Cluster.PKISettings? {
        let section = spec.pki
        var valid = true
        var algorithm = KeyAlgorithm.rsa2048
        if let text = section?.keyAlgorithm {
            if let parsed = KeyAlgorithm(rawValue: text.lowercased()) {
                algorithm = parsed
            } else {
                error("invalid-value", "pki.keyAlgorithm", "unknown key algorithm \"\(text)\"", fix: "use one of: \(KeyAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
                valid = false
            }
        }
        func duration(_ text: String?, path: String, default value: ValidityDuration) -> ValidityDuration? {
            guard let text else { return value }
            guard let parsed = ValidityDuration(text) else {
                error("invalid-duration", path, "\"\(text)\" is not a duration", fix: "write hours like \(value) or days like 365d")
                return nil
            }
            return parsed
        }
        let validity = duration(section?.validity, path: "pki.validity", default: ClusterResolver.defaultValidity)
        let caValidity = duration(section?.caValidity, path: "pki.caValidity", default: ClusterResolver.defaultCAValidity)
        if let validity, let caValidity, validity.seconds > caValidity.seconds {
            error("invalid-duration", "pki.validity", "\(validity) is longer than pki.caValidity \(caValidity): certificates would outlive the CA that signs them",
                  fix: "shorten pki.validity or lengthen pki.caValidity")
            valid = false
        }
        if let validity, validity.seconds < 3600 {
            warning("short-validity", "pki.validity", "\(validity) is less than an hour: certificates will expire while the cluster is being built",
                    fix: "use at least a few days, like 8760h")
        }
        let subjectSpec = section?.subject
        var subject = Cluster.Subject()
        subject.country = subjectSpec?.country.flatMap { $0.isEmpty ? nil : $0 }
        subject.state = subjectSpec?.state.flatMap { $0.isEmpty ? nil : $0 }
        subject.locality = subjectSpec?.locality.flatMap { $0.isEmpty ? nil : $0 }
        subject.organizationalUnit = subjectSpec?.organizationalUnit.flatMap { $0.isEmpty ? nil : $0 }
        if let organization = subjectSpec?.organization, !organization.isEmpty { subject.organization = organization }
        if let country = subject.country, country.count != 2 || !country.allSatisfy({ $0.isASCII && $0.isLetter }) {
            warning("invalid-country", "pki.subject.country", "\"\(country)\" is not a two-letter country code; some tools reject such certificates",
                    fix: "use an ISO 3166 code like UK, IE or NO")
        }
        guard let validity, let caValidity, valid else { return nil }
        return Cluster.PKISettings(keyAlgorithm: algorithm, validity: validity, caValidity: caValidity, subject: subject)
    }

    mutating func resolveEncryption() -> Cluster.Encryption? {
        guard let text = spec.encryption?.provider else { return Cluster.Encryption(provider: .aescbc) }
        guard let provider = EncryptionProvider(rawValue: text.lowercased()) else {
            error("invalid-value", "encryption.provider", "unknown provider \"\(text)\"", fix: "use one of: \(EncryptionProvider.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return Cluster.Encryption(provider: provider)
    }

    mutating func resolveSSH() -> Cluster.SSH? {
        let section = spec.ssh
        let port = section?.port ?? 22
        var valid = true
        if !(1...65535).contains(port) {
            error("invalid-port", "ssh.port", "\(port) is not a TCP port", fix: "use 1-65535; sshd listens on 22 by default")
            valid = false
        }
        let user = section?.user ?? "root"
        if user.isEmpty || user.contains(where: { $0.isWhitespace || $0 == "@" }) {
            error("invalid-value", "ssh.user", "\"\(user)\" is not a user name", fix: "write the login name, like ubuntu")
            valid = false
        }
        if let bastion = section?.bastion, bastion.isEmpty || bastion.contains(where: \.isWhitespace) {
            error("invalid-value", "ssh.bastion", "\"\(bastion)\" is not a jump host", fix: "write it as ssh's -J takes it: user@host or user@host:port")
            valid = false
        }
        guard valid else { return nil }
        return Cluster.SSH(user: user, identityFile: section?.identityFile, port: port, bastion: section?.bastion)
    }

    /// `us-east-2`, `ap-southeast-1`, `us-gov-west-1`: words, then a number.
    static func isRegionName(_ region: String) -> Bool {
        let parts = region.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count >= 3 && parts.last!.allSatisfy(\.isNumber) && !parts.last!.isEmpty
            && parts.dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isLowercase && $0.isLetter } }
    }

    mutating func resolveInfra(network: Cluster.Network?) -> Cluster.Infra? {
        guard let section = spec.infra else { return nil }
        var valid = true
        switch section.provider {
        case nil:
            error("missing-field", "infra.provider", "missing", fix: "write `provider: aws`")
            valid = false
        case let provider? where provider != "aws":
            error("invalid-value", "infra.provider", "unknown provider \"\(provider)\"", fix: "hardway provisions on aws only")
            valid = false
        default: break
        }
        let region = section.region ?? ""
        if region.isEmpty {
            warning("region-from-environment", "infra.region", "not set: `hardway infra` takes the region from AWS_REGION (or AWS_DEFAULT_REGION)",
                    fix: "set infra.region, like us-east-2, so the file says where the cluster lives")
        } else if !Self.isRegionName(region) {
            error("invalid-value", "infra.region", "\"\(region)\" is not an AWS region name", fix: "write it like us-east-2")
            valid = false
        }
        if spec.network?.nodeCIDR == nil {
            error("missing-field", "network.nodeCIDR", "infra needs the node network: it becomes the VPC subnet",
                  fix: "set network.nodeCIDR, like 172.31.0.0/24, with every host address inside it")
            valid = false
        }
        guard valid else { return nil }
        return Cluster.Infra(provider: "aws", region: region.isEmpty ? nil : region, instanceType: section.instanceType ?? "t3.small",
                             imageOwner: section.image?.owner ?? "099720109477",
                             imageName: section.image?.name ?? "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*")
    }
}

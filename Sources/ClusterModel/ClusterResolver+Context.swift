extension ClusterResolver {
    /// One resolution under way: the spec, what `hardway infra` made known, and the diagnostics so far.
    /// Its rules are extensions by concern (`ClusterResolver+Network.swift`, …); `resolve()` runs them all.
    struct Context {
        let spec: ClusterSpec
        let autoEndpoint: String?
        /// Host name → public address: where hardway connects when the host names no sshAddress.
        let publicAddresses: [String: String]
        /// Worker name → the pod CIDR apply gave it (Provisioned.podCIDRs).
        let recordedPodCIDRs: [String: String]
        var diagnostics: [Diagnostic] = []

        init(spec: ClusterSpec, autoEndpoint: String?, publicAddresses: [String: String], recordedPodCIDRs: [String: String] = [:]) {
            self.spec = spec
            self.autoEndpoint = autoEndpoint
            self.publicAddresses = publicAddresses
            self.recordedPodCIDRs = recordedPodCIDRs
        }

        mutating func error(_ code: String, _ path: String, _ message: String, fix: String? = nil) {
            diagnostics.append(.error(code, at: path, message, fix: fix))
        }

        mutating func warning(_ code: String, _ path: String, _ message: String, fix: String? = nil) {
            diagnostics.append(.warning(code, at: path, message, fix: fix))
        }

        /// A TCP port field: its value or the default; nil (and an error) outside 1-65535.
        mutating func port(_ value: Int?, path: String, default defaultValue: Int, fix: String) -> Int? {
            let port = value ?? defaultValue
            guard (1...65535).contains(port) else {
                error("invalid-port", path, "\(port) is not a TCP port", fix: fix)
                return nil
            }
            return port
        }

        // MARK: - the whole file

        mutating func resolve() -> Cluster? {
            checkHeader()
            let name = resolveName()
            let kubernetesVersion = resolveKubernetesVersion()
            let pairing = kubernetesVersion.flatMap(ReleaseVersion.init).flatMap(ReleasePairing.forVersion)
            let etcdVersion = resolveEtcdVersion(pairing: pairing, kubernetes: kubernetesVersion)
            let versions = resolveRuntimeVersions(pairing: pairing, kubernetes: kubernetesVersion)
            let proxyMode = resolveProxyMode(pairing: pairing, kubernetes: kubernetesVersion)
            var network = resolveNetwork()
            if let proxyMode { network?.proxyMode = proxyMode }
            let hostResult = resolveHosts(network: network)
            let resolvedHosts = withPodCIDRs(hostResult, network: network)
            let controllers = resolvedHosts.filter { $0.has(.controller) }
            checkRoles(resolvedHosts, allNamed: hostResult.allNamed)

            let loadBalancer = resolveLoadBalancer(hosts: resolvedHosts, specIndex: hostResult.specIndex)
            let api = resolveAPI(loadBalancer: loadBalancer, controllers: controllers)
            let etcdMembers = resolveEtcd(hosts: resolvedHosts, controllers: controllers, allNamed: hostResult.allNamed)
            let pki = resolvePKI()
            let encryption = resolveEncryption()
            let ssh = resolveSSH()
            let infra = resolveInfra(network: network)
            let binaries = resolveBinaries()

            guard let name, let kubernetesVersion, let etcdVersion, let versions, let proxyMode, let network, let api, let loadBalancer,
                  let pki, let encryption, let ssh else { return nil }
            return Cluster(name: name, kubernetesVersion: kubernetesVersion, etcdVersion: etcdVersion, versions: versions, network: network,
                           api: api, loadBalancer: loadBalancer, etcdMembers: etcdMembers, pki: pki, encryption: encryption,
                           ssh: ssh, binaries: binaries, addons: resolveAddons(),
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
    }
}

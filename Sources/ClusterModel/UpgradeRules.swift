/// What an upgrade may and may not do, decided from versions alone: the components each host runs
/// (as `applied.json` recorded them, or as their processes say), the versions the cluster file asks
/// for, and the rules every refusal names — no skipped Kubernetes or etcd minor, no downgrade of
/// etcd or Kubernetes, no kubelet newer than its API servers.
public enum UpgradeRules {
    /// Each component a host can run, with the cluster file's field that pins its version.
    public static let fields: [(component: String, field: String)] = [
        ("etcd", "etcdVersion"),
        ("kube-apiserver", "kubernetesVersion"), ("kube-controller-manager", "kubernetesVersion"), ("kube-scheduler", "kubernetesVersion"),
        ("containerd", "containerdVersion"), ("runc", "runcVersion"), ("cni-plugins", "cniPluginsVersion"),
        ("kubelet", "kubernetesVersion"), ("kube-proxy", "kubernetesVersion"),
    ]

    public static func field(of component: String) -> String? { fields.first { $0.component == component }?.field }

    /// The components `machine` runs, by its roles.
    public static func components(of machine: Machine, in cluster: Cluster) -> [String] {
        var components: [String] = []
        if cluster.etcdMembers.contains(where: { $0.name == machine.name }) { components.append("etcd") }
        if machine.has(.controller) { components += ["kube-apiserver", "kube-controller-manager", "kube-scheduler"] }
        if machine.has(.worker) { components += ["containerd", "runc", "cni-plugins", "kubelet", "kube-proxy"] }
        return components
    }

    /// Field → the version the cluster asks for.
    public static func targets(_ cluster: Cluster) -> [String: String] {
        ["kubernetesVersion": cluster.kubernetesVersion, "etcdVersion": cluster.etcdVersion, "containerdVersion": cluster.versions.containerd,
         "runcVersion": cluster.versions.runc, "cniPluginsVersion": cluster.versions.cniPlugins]
    }

    /// Component → version for `machine`: what the file asks of each component it runs.
    public static func wanted(for machine: Machine, in cluster: Cluster) -> [String: String] {
        let targets = targets(cluster)
        var result: [String: String] = [:]
        for component in components(of: machine, in: cluster) { result[component] = field(of: component).flatMap { targets[$0] } }
        return result
    }

    /// `v1.6.20~ds1`, `1.6.20` → v1.6.20: the release a running binary or a record names.
    public static func release(_ text: String) -> ReleaseVersion? {
        var text = text.hasPrefix("v") ? text : "v" + text
        if let cut = text.firstIndex(where: { !($0.isNumber || $0 == "." || $0 == "v") }) { text = String(text[..<cut]) }
        return ReleaseVersion(text)
    }

    /// A change of one component on one host.
    public struct Change: Sendable, Equatable, Codable {
        public var host: String
        public var component: String
        public var from: String
        public var to: String

        public init(host: String, component: String, from: String, to: String) {
            (self.host, self.component, self.from, self.to) = (host, component, from, to)
        }
    }

    /// Every component whose current version (host → component → version) differs from the one
    /// the file asks for (field → version). Hosts without a current reading have nothing to upgrade.
    public static func changes(current: [String: [String: String]], targets: [String: String]) -> [Change] {
        var result: [Change] = []
        for host in current.keys.sorted() {
            for (component, field) in fields {
                guard let from = current[host]?[component], let to = targets[field],
                      let old = release(from), let new = release(to), old != new else { continue }
                result.append(Change(host: host, component: component, from: old.description, to: new.description))
            }
        }
        return result
    }

    public struct Refusal: Sendable, Equatable {
        public var code: String
        public var field: String
        public var message: String
        public var fix: String
    }

    /// What the upgrade from `current` to `targets` may not do, each with its reason and what to do
    /// instead.
    public static func refusals(current: [String: [String: String]], targets: [String: String]) -> [Refusal] {
        var refusals: [Refusal] = []
        // Per field, the lowest and highest version the hosts run, and which hosts run which.
        for field in ["kubernetesVersion", "etcdVersion"] {
            guard let text = targets[field], let target = release(text) else { continue }
            let components = Set(fields.filter { $0.field == field }.map(\.component))
            var running: [ReleaseVersion: Set<String>] = [:]
            for (host, versions) in current {
                for (component, version) in versions where components.contains(component) {
                    if let parsed = release(version) { running[parsed, default: []].insert(host) }
                }
            }
            guard let lowest = running.keys.min(), let highest = running.keys.max() else { continue }
            let name = field == "etcdVersion" ? "etcd" : "Kubernetes"
            let hostsOf = { (version: ReleaseVersion) in running[version]!.sorted().joined(separator: ", ") }
            if target < highest {
                refusals.append(Refusal(
                    code: "upgrade-downgrade", field: field,
                    message: "\(field) \(target) is older than the \(name) \(highest) that \(hostsOf(highest)) \(running[highest]!.count == 1 ? "runs" : "run"): hardway does not downgrade \(name) (\(field == "etcdVersion" ? "a newer etcd's data is not read back by an older one" : "objects stored by a newer release may not read back in an older one"))",
                    fix: "set \(field): \(highest) again; to go back, restore an etcd snapshot taken before the upgrade (`hardway etcd snapshot restore`; apply keeps one under <dir>/backups/)"))
                continue
            }
            if target.major != lowest.major || target.minor > lowest.minor + 1 {
                let next = "\(lowest.major).\(lowest.minor + 1)"
                refusals.append(Refusal(
                    code: field == "etcdVersion" ? "upgrade-skips-etcd-minor" : "upgrade-skips-minor", field: field,
                    message: "\(field) \(target) skips \(name) \(next): \(hostsOf(lowest)) \(running[lowest]!.count == 1 ? "runs" : "run") \(lowest), and \(name) is upgraded one minor at a time\(field == "etcdVersion" ? " (etcd supports a mixed cluster of neighbouring minors only)" : " (its version skew policy)")",
                    fix: "set \(field) to a v\(next) release, apply, then set \(target) and apply again"))
            }
        }
        // A kubelet never newer than an API server, now or after this upgrade.
        var apiServers: [(String, ReleaseVersion)] = [], kubelets: [(String, ReleaseVersion)] = []
        for (host, versions) in current {
            if let version = versions["kube-apiserver"].flatMap(release) { apiServers.append((host, version)) }
            if let version = versions["kubelet"].flatMap(release) { kubelets.append((host, version)) }
        }
        if let oldest = apiServers.min(by: { $0.1 < $1.1 }) {
            let newer = kubelets.filter { $0.1 > oldest.1 }.sorted { $0.0 < $1.0 }
            if !newer.isEmpty {
                refusals.append(Refusal(
                    code: "upgrade-kubelet-skew", field: "kubernetesVersion",
                    message: "the kubelet on \(newer.map { "\($0.0) (\($0.1))" }.joined(separator: ", ")) is newer than the API server on \(oldest.0) (\(oldest.1)): a kubelet must never be newer than its API servers",
                    fix: "bring the API servers up first (`hardway apply` upgrades them before any kubelet), or put those kubelets back to \(oldest.1)"))
            }
        }
        return refusals
    }

    /// Whether a kubelet of `version` may run against API servers of `apiServers` (host → version):
    /// nil, or what makes it too new.
    public static func kubeletTooNew(_ version: String, apiServers: [String: String]) -> String? {
        guard let kubelet = release(version) else { return nil }
        let older = apiServers.filter { release($0.value).map { $0 < kubelet } ?? true }.sorted { $0.key < $1.key }
        guard !older.isEmpty else { return nil }
        return "a kubelet \(kubelet) would be newer than the API server on " + older.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
    }
}

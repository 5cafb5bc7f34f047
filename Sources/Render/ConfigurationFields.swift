/// The fields one kind of configuration file (the kubelet's, kube-proxy's, the scheduler's) accepts in one
/// Kubernetes release, as JSON paths read from upstream's Go types at that release (the data:
/// `Releases/ConfigurationFields+<kind>.swift`). The kubelet and kube-proxy drop a field they do not know
/// with a log line, the scheduler refuses to start: a renderer writes only what its release lists, and a
/// test checks every rendered file against these sets.
public struct ConfigurationFields: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case kubelet = "KubeletConfiguration"
        case kubeProxy = "KubeProxyConfiguration"
        case kubeScheduler = "KubeSchedulerConfiguration"
    }

    /// `kubelet.config.k8s.io/v1beta1`: the group and version the file's `apiVersion` names.
    public let apiVersion: String
    /// Every field: `authentication.x509.clientCAFile`; a list's element fields under the list's name.
    public let paths: Set<String>
    /// Fields whose keys are the user's (`featureGates`, `evictionHard`) or whose type is another
    /// package's (`logging`): anything under them is accepted.
    public let openPaths: Set<String>

    /// From the data files' notation: paths separated by white space, an open one ending in `{}`.
    init(apiVersion: String, _ text: String) {
        self.apiVersion = apiVersion
        (paths, openPaths) = Self.parse(text)
    }

    init(apiVersion: String, paths: Set<String>, openPaths: Set<String>) {
        (self.apiVersion, self.paths, self.openPaths) = (apiVersion, paths, openPaths)
    }

    /// The fields of the release before, and the ones this release added (same notation).
    func adding(_ text: String) -> ConfigurationFields {
        let (more, moreOpen) = Self.parse(text)
        return ConfigurationFields(apiVersion: apiVersion, paths: paths.union(more), openPaths: openPaths.union(moreOpen))
    }

    /// Whether a file of this kind may hold `path`: a field, or anything under an open one (a map's
    /// keys may hold dots, like `evictionHard.memory.available`).
    public func accepts(_ path: String) -> Bool {
        if paths.contains(path) { return true }
        var prefix = Substring(path)
        while let dot = prefix.lastIndex(of: ".") {
            prefix = prefix[..<dot]
            if openPaths.contains(String(prefix)) { return true }
        }
        return false
    }

    private static func parse(_ text: String) -> (Set<String>, Set<String>) {
        var paths: Set<String> = [], open: Set<String> = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let path = word.hasSuffix("{}") ? String(word.dropLast(2)) : String(word)
            paths.insert(path)
            if word.hasSuffix("{}") { open.insert(path) }
        }
        return (paths, open)
    }

    /// Each supported minor's three sets.
    static let byMinor: [String: [Kind: ConfigurationFields]] = [
        "1.20": [.kubelet: kubelet120, .kubeProxy: kubeProxy120, .kubeScheduler: scheduler120],
        "1.30": [.kubelet: kubelet130, .kubeProxy: kubeProxy130, .kubeScheduler: scheduler130],
        "1.31": [.kubelet: kubelet131, .kubeProxy: kubeProxy131, .kubeScheduler: scheduler131],
        "1.32": [.kubelet: kubelet132, .kubeProxy: kubeProxy132, .kubeScheduler: scheduler132],
        "1.33": [.kubelet: kubelet133, .kubeProxy: kubeProxy133, .kubeScheduler: scheduler133],
        "1.34": [.kubelet: kubelet134, .kubeProxy: kubeProxy134, .kubeScheduler: scheduler134],
        "1.35": [.kubelet: kubelet135, .kubeProxy: kubeProxy135, .kubeScheduler: scheduler135],
        "1.36": [.kubelet: kubelet136, .kubeProxy: kubeProxy136, .kubeScheduler: scheduler136],
        "1.37": [.kubelet: kubelet137, .kubeProxy: kubeProxy137, .kubeScheduler: scheduler137],
    ]
}

extension KubernetesRelease {
    /// The fields this release's configuration file of `kind` accepts; nil only for a release without data
    /// (a test keeps every supported one covered).
    public func configurationFields(_ kind: ConfigurationFields.Kind) -> ConfigurationFields? {
        ConfigurationFields.byMinor[minor]?[kind]
    }
}

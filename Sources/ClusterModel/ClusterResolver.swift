/// Defaults, derived values and every validation rule. Each rule reports its field path and the
/// fix; all rules run, so a user sees every problem at once. The rules live by concern in
/// `ClusterResolver+Network.swift`, `+Hosts`, `+Endpoint`, `+Etcd` and `+Settings`; the defaults in
/// `ClusterResolver+Defaults.swift`.
public enum ClusterResolver {
    /// - Parameter autoEndpoint: the AWS load balancer's DNS name when `hardway infra` knows it.
    public static func resolve(_ spec: ClusterSpec, autoEndpoint: String? = nil, provisioned: Provisioned? = nil) -> Resolution {
        var context = Context(spec: spec, autoEndpoint: autoEndpoint ?? provisioned?.loadBalancerDNSName,
                              publicAddresses: provisioned?.publicAddresses ?? [:], recordedPodCIDRs: provisioned?.podCIDRs ?? [:])
        let cluster = context.resolve()
        var diagnostics = context.diagnostics
        diagnostics += upgradeRefusals(spec, cluster: cluster, running: provisioned?.versions ?? [:])
        return Resolution(cluster: diagnostics.hasErrors ? nil : cluster, diagnostics: diagnostics)
    }

    /// A version change against what apply recorded each host running (`applied.json`) that no
    /// upgrade may make: refused here, so validate, plan and apply say so before any host is touched.
    /// The file's own version is read as written when the rest of the file does not resolve (a
    /// release hardway has no data for must still be told it skips a minor).
    static func upgradeRefusals(_ spec: ClusterSpec, cluster: Cluster?, running: [String: [String: String]]) -> [Diagnostic] {
        guard !running.isEmpty else { return [] }
        var targets = cluster.map(UpgradeRules.targets) ?? [:]
        if let written = spec.kubernetesVersion { targets["kubernetesVersion"] = written }
        if let written = spec.etcdVersion { targets["etcdVersion"] = written }
        return UpgradeRules.refusals(current: running, targets: targets).map { .error($0.code, at: $0.field, $0.message, fix: $0.fix) }
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

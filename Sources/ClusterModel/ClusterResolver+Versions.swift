/// The versions: Kubernetes, then etcd, containerd, runc and the CNI plugins, each as written or the
/// release's pairing (`ReleasePairing`), and the floors a release sets for them.
extension ClusterResolver.Context {
    mutating func resolveKubernetesVersion() -> String? {
        let version = resolveVersion(spec.kubernetesVersion, path: "kubernetesVersion", default: ClusterResolver.defaultKubernetesVersion)
        if let version, let parsed = ReleaseVersion(version), ReleasePairing.forVersion(parsed) == nil {
            error("unsupported-version", "kubernetesVersion", "hardway has no flags or file formats for Kubernetes \(version)",
                  fix: "use a release of \(ReleasePairing.supportedList) (v1.20.2 is built here from Debian's source by `hardway binaries build`)")
        }
        return version
    }

    mutating func resolveVersion(_ value: String?, path: String, default defaultValue: String) -> String? {
        guard let value else { return defaultValue }
        guard ReleaseVersion(value) != nil else {
            let bare = value.hasPrefix("v") ? value : "v" + value
            error("invalid-version", path, "\"\(value)\" is not a release version", fix: "write it like \(defaultValue)" + (bare != value ? " (did you mean \(bare)?)" : ""))
            return nil
        }
        return value
    }

    /// etcd: one of the minors the release runs on. Without a known release only its form is checked.
    mutating func resolveEtcdVersion(pairing: ReleasePairing?, kubernetes: String?) -> String? {
        guard let version = resolveVersion(spec.etcdVersion, path: "etcdVersion", default: pairing?.etcd ?? ClusterResolver.defaultEtcdVersion),
              let pairing, let kubernetes, let parsed = ReleaseVersion(version) else { return nil }
        guard pairing.etcdMinors.contains(parsed.minorName) else {
            let minors = pairing.etcdMinors.map { "etcd \($0)" }.joined(separator: " or ")
            error("unsupported-version", "etcdVersion", "etcd \(version) is not a release Kubernetes \(kubernetes) runs on: it supports \(minors)",
                  fix: "set etcdVersion to a release of \(minors) (\(pairing.etcd) is the one Kubernetes \(pairing.minor) ships with), or remove it to take that one")
            return nil
        }
        return version
    }

    /// containerd, runc and the CNI plugins: as written or the pairing; containerd at least the release's floor.
    mutating func resolveRuntimeVersions(pairing: ReleasePairing?, kubernetes: String?) -> Cluster.Versions? {
        guard let pairing, let kubernetes else { return nil }
        let containerd = resolveVersion(spec.containerdVersion, path: "containerdVersion", default: pairing.containerd)
        let runc = resolveVersion(spec.runcVersion, path: "runcVersion", default: pairing.runc)
        let cniPlugins = resolveVersion(spec.cniPluginsVersion, path: "cniPluginsVersion", default: pairing.cniPlugins)
        var valid = true
        for (path, version, name, majors) in [("containerdVersion", containerd, "containerd", [1, 2]), ("runcVersion", runc, "runc", [1]),
                                              ("cniPluginsVersion", cniPlugins, "the CNI plugins", [1])] {
            guard let version, let parsed = ReleaseVersion(version), !majors.contains(parsed.major) else { continue }
            let known = majors.map { "\($0).x" }.joined(separator: " or ")
            error("unsupported-version", path, "\(name) \(version) does not exist: hardway knows \(name) \(known)",
                  fix: "set \(path) to a release of \(known), like \(path == "containerdVersion" ? pairing.containerd : path == "runcVersion" ? pairing.runc : pairing.cniPlugins), or remove it for Kubernetes \(pairing.minor)'s pairing")
            valid = false
        }
        if valid, let containerd, let parsed = ReleaseVersion(containerd), parsed < pairing.containerdFloor {
            let floor = pairing.containerdFloor
            error("unsupported-version", "containerdVersion",
                  "containerd \(containerd) is too old for Kubernetes \(kubernetes), which needs containerd \(floor.patch == 0 ? "\(floor.major).\(floor.minor)" : "\(floor.major).\(floor.minor).\(floor.patch)") or later: \(pairing.containerdFloorReason)",
                  fix: "set containerdVersion to \(pairing.containerd) (Kubernetes \(pairing.minor)'s pairing) or later\(floor.major >= 2 ? ", or use Kubernetes v1.35 to stay on containerd 1.x" : "")")
            valid = false
        }
        guard valid, let containerd, let runc, let cniPlugins else { return nil }
        return Cluster.Versions(containerd: containerd, runc: runc, cniPlugins: cniPlugins)
    }

    /// `network.proxyMode`: a mode the release's kube-proxy has (nftables from 1.31); ipvs warned about from 1.35.
    mutating func resolveProxyMode(pairing: ReleasePairing?, kubernetes: String?) -> ProxyMode? {
        guard let text = spec.network?.proxyMode else { return .iptables }
        guard let mode = ProxyMode(rawValue: text) else {
            error("invalid-value", "network.proxyMode", "unknown proxy mode \"\(text)\"", fix: "use one of: \(ProxyMode.allCases.map(\.rawValue).joined(separator: ", ")) (iptables is the default)")
            return nil
        }
        guard let pairing, let kubernetes else { return mode }
        guard pairing.proxyModes.contains(mode) else {
            let newer = ReleasePairing.table.first { $0.proxyModes.contains(mode) }.map { "v\($0.minor)" } ?? "a newer release"
            error("unsupported-version", "network.proxyMode", "kube-proxy of Kubernetes \(kubernetes) has no \(mode.rawValue) mode that runs without a feature gate",
                  fix: "use iptables, or Kubernetes \(newer) or later for \(mode.rawValue)")
            return nil
        }
        if mode == .ipvs, pairing.ipvsDeprecated {
            warning("deprecated-value", "network.proxyMode", "kube-proxy's ipvs mode is deprecated from Kubernetes 1.35 and will be removed",
                    fix: "use nftables (GA since 1.33) or iptables")
        }
        return mode
    }
}

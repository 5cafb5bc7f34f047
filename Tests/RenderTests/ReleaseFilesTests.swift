import Foundation
import Testing
import Yams
import ClusterModel
import Render

/// Every supported release renders configuration files of only the fields its types have, and what a
/// release removed or changed is rendered its way.
@Suite struct ReleaseFilesTests {
    static let configFiles: [(String, ConfigurationFields.Kind)] = [
        ("/var/lib/kubelet/kubelet-config.yaml", .kubelet),
        ("/var/lib/kube-proxy/kube-proxy-config.yaml", .kubeProxy),
        ("/etc/kubernetes/config/kube-scheduler.yaml", .kubeScheduler),
    ]

    /// Every path of a YAML document: `authentication.x509.clientCAFile`; a list's items under its name.
    static func paths(_ value: Any, prefix: String = "") -> [String] {
        switch value {
        case let map as [String: Any]:
            return map.flatMap { key, child in
                let path = prefix.isEmpty ? key : "\(prefix).\(key)"
                return [path] + paths(child, prefix: path)
            }
        case let list as [Any]:
            return list.flatMap { paths($0, prefix: prefix) }
        default:
            return []
        }
    }

    /// The example with `network.proxyMode: mode` (replacing the one it names).
    static func proxyMode(_ text: String, _ mode: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("  proxyMode:") }
        return lines.joined(separator: "\n").replacingOccurrences(of: "  clusterDomain: cluster.local", with: "  clusterDomain: cluster.local\n  proxyMode: \(mode)")
    }

    @Test(arguments: ["lab", "aws", "dedicated-etcd"])
    func everyRenderedConfigurationFieldIsInItsRelease(_ example: String) throws {
        for release in KubernetesRelease.supported {
            for mode in ["iptables", "nftables", "ipvs"] {
                let input = try? RenderFixture.input(example) { Self.proxyMode(RenderFixture.pin($0, release: release.minor), mode) }
                guard let input else {
                    #expect(mode == "nftables" && ["1.20", "1.30"].contains(release.minor), "v\(release.minor) \(mode) does not resolve")
                    continue
                }
                let output = try ClusterRenderer.render(input)
                var checked: Set<ConfigurationFields.Kind> = []
                for node in output.nodes {
                    for (path, kind) in Self.configFiles {
                        guard let file = node.file(path) else { continue }
                        let fields = try #require(release.configurationFields(kind), "v\(release.minor) has \(kind.rawValue) data")
                        let yaml = try #require(try Yams.load(yaml: file.contents) as? [String: Any], "\(path) is YAML")
                        #expect(yaml["apiVersion"] as? String == fields.apiVersion && yaml["kind"] as? String == kind.rawValue, "v\(release.minor) \(path)")
                        for field in Self.paths(yaml) {
                            #expect(fields.accepts(field), "v\(release.minor) \(node.host):\(path): \(field) is not a field of \(kind.rawValue)")
                        }
                        if kind == .kubeProxy { #expect(yaml["mode"] as? String == mode, "v\(release.minor) \(path)") }
                        checked.insert(kind)
                    }
                }
                // 1.20 runs the scheduler from flags alone.
                let expected: Set<ConfigurationFields.Kind> = release.minor == "1.20" ? [.kubelet, .kubeProxy] : Set(ConfigurationFields.Kind.allCases)
                #expect(checked == expected, "v\(release.minor) \(example): \(checked)")
            }
        }
    }

    @Test func theFieldSetsTellReleasesApart() throws {
        func fields(_ minor: String, _ kind: ConfigurationFields.Kind) throws -> ConfigurationFields {
            let release = try #require(KubernetesRelease.supported.first { $0.minor == minor })
            return try #require(release.configurationFields(kind))
        }
        for release in KubernetesRelease.supported {
            for kind in ConfigurationFields.Kind.allCases { #expect(release.configurationFields(kind) != nil, "v\(release.minor) \(kind)") }
        }
        // Fields as they came: the runtime endpoint and registerNode after 1.20, failCgroupV1 in 1.31, user namespaces in 1.33.
        #expect(try !fields("1.20", .kubelet).accepts("containerRuntimeEndpoint") && fields("1.30", .kubelet).accepts("containerRuntimeEndpoint"))
        #expect(try !fields("1.20", .kubelet).accepts("registerNode"))
        #expect(try !fields("1.30", .kubelet).accepts("failCgroupV1") && fields("1.31", .kubelet).accepts("failCgroupV1"))
        #expect(try !fields("1.32", .kubelet).accepts("userNamespaces.idsPerPod") && fields("1.33", .kubelet).accepts("userNamespaces.idsPerPod"))
        #expect(try !fields("1.20", .kubeProxy).accepts("nftables.syncPeriod") && fields("1.30", .kubeProxy).accepts("nftables.syncPeriod"))
        #expect(try !fields("1.36", .kubeScheduler).accepts("profiles.plugins.podGroupPostFilter.enabled.name"))
        #expect(try fields("1.37", .kubeScheduler).accepts("profiles.plugins.podGroupPostFilter.enabled.name"))
        #expect(try fields("1.20", .kubeScheduler).apiVersion == "kubescheduler.config.k8s.io/v1beta1" && fields("1.30", .kubeScheduler).apiVersion == "kubescheduler.config.k8s.io/v1")
        // A map's keys are the user's, dots and all; a struct's are not.
        let kubelet = try fields("1.36", .kubelet)
        #expect(kubelet.accepts("featureGates.NodeSwap") && kubelet.accepts("evictionHard.memory.available") && kubelet.accepts("logging.format"))
        #expect(!kubelet.accepts("authentication.x509.clientCAFil") && !kubelet.accepts("podCIDRs") && !kubelet.accepts("authentication.anonymous.enabled.x"))
    }

    /// 1.35 removed the kubelet's --pod-infra-container-image: not in its flag set, and rendered for no
    /// release (the sandbox image is containerd's to pull and keep).
    @Test func thePodInfraImageFlagIsGoneFrom135() throws {
        for release in KubernetesRelease.supported {
            let minor = try #require(Double(release.minor))
            #expect(release.accepts("pod-infra-container-image", .kubelet) == (minor < 1.35), "v\(release.minor)")
            let output = try RenderFixture.render("lab") { RenderFixture.pin($0, release: release.minor) }
            let unit = try #require(output.node("worker-0")?.file("/etc/systemd/system/kubelet.service")).contents
            #expect(!unit.contains("pod-infra-container-image") && unit.contains("--config=/var/lib/kubelet/kubelet-config.yaml"), "v\(release.minor)")
            let containerd = try #require(output.node("worker-0")?.file("/etc/containerd/config.toml")).contents
            #expect(containerd.contains("sandbox_image = \"\(release.pauseImage)\"") || containerd.contains("sandbox = '\(release.pauseImage)'"),
                    "v\(release.minor): the sandbox image is in containerd's configuration")
        }
    }

    @Test func eachReleasePinsItsOwnImages() throws {
        let images = KubernetesRelease.supported.map { "\($0.minor) \($0.coreDNSImage) \($0.pauseImage)" }
        #expect(images.suffix(5) == [
            "1.33 registry.k8s.io/coredns/coredns:v1.12.0 registry.k8s.io/pause:3.10",
            "1.34 registry.k8s.io/coredns/coredns:v1.12.1 registry.k8s.io/pause:3.10.1",
            "1.35 registry.k8s.io/coredns/coredns:v1.12.4 registry.k8s.io/pause:3.10.1",
            "1.36 registry.k8s.io/coredns/coredns:v1.14.2 registry.k8s.io/pause:3.10.2",
            "1.37 registry.k8s.io/coredns/coredns:v1.14.3 registry.k8s.io/pause:3.10.2",
        ])
        let output = try RenderFixture.render("lab") { RenderFixture.pin($0, release: "1.36").replacingOccurrences(of: "dns: false", with: "dns: true") }
        #expect(output.manifests.first { $0.path == "manifests/coredns.yaml" }?.contents.contains("image: registry.k8s.io/coredns/coredns:v1.14.2") == true)
    }

    @Test func kubeProxyLoadsWhatItsModeNeeds() throws {
        func modules(_ mode: String) throws -> String {
            let output = try RenderFixture.render("lab") { Self.proxyMode(RenderFixture.pin($0, release: "1.36"), mode) }
            return try #require(output.node("worker-0")?.file("/etc/modules-load.d/kubernetes.conf")).contents
        }
        #expect(try modules("iptables") == "# written by hardway: loaded at boot for containerd and kube-proxy\noverlay\nbr_netfilter\n")
        #expect(try modules("nftables").hasSuffix("br_netfilter\nnf_tables\n"))
        #expect(try modules("ipvs").contains("ip_vs\nip_vs_rr\n"))
    }
}

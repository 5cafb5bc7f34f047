import Foundation
import Testing
import Yams
import ClusterModel
import PKI
import Render

/// What must hold for every topology: who gets which file, which flags, which routes.
@Suite struct RenderRulesTests {
    static let examples = ["lab", "aws", "two-controllers", "dedicated-etcd", "single-controller"]

    @Test(arguments: examples)
    func everyRenderedFlagExistsInThePinnedRelease(_ example: String) throws {
        for release in KubernetesRelease.supported {
            let output = try RenderFixture.render(example) { RenderFixture.pin($0, release: release.minor) }
            var checked = 0
            for command in ClusterRenderer.unitCommands(output) {
                let program = (command.program as NSString).lastPathComponent
                guard let component = KubernetesRelease.Component(rawValue: program) else { continue }
                for argument in command.arguments {
                    let name = String(argument.dropFirst(2).prefix { $0 != "=" })
                    #expect(argument.hasPrefix("--") && release.accepts(name, component), "v\(release.minor) \(command.host) \(program): --\(name) is not in the reference")
                    // The tutorials' old flags only where the release still takes them (1.20).
                    #expect(!KubernetesRelease.removedFlags.contains(name) || release.accepts(name, component),
                            "\(program) renders the removed flag --\(name)")
                    checked += 1
                }
            }
            #expect(checked > 20, "\(example): the flags of the Kubernetes units were checked")
        }
    }

    @Test func aVersionWithoutAFlagSetIsRefusedByName() throws {
        do {
            _ = try KubernetesRelease.forVersion("v1.24.0")
            Issue.record("v1.24.0 has no release data")
        } catch let error as RenderError {
            #expect(error.code == .unsupportedVersion)
            #expect(error.message.contains("v1.24.0") && (error.fix ?? "").contains("v1.20") && (error.fix ?? "").contains("v1.31"))
        }
        // validate refuses it first, naming the versions it knows.
        let resolution = ClusterResolver.resolve(text: RenderFixture.pin(ClusterExamples.named("lab")!.text, kubernetes: "v1.24.0"))
        let diagnostic = try #require(resolution.diagnostics.first { $0.code == "unsupported-version" })
        #expect(diagnostic.path == "kubernetesVersion" && diagnostic.fix?.contains("v1.20, v1.30, v1.31, v1.32, v1.33, v1.34, v1.35, v1.36, v1.37") == true, "\(diagnostic)")
        // The resolver's list and the renderer's release data are the same versions.
        #expect(ClusterResolver.supportedKubernetesMinors == KubernetesRelease.supported.map(\.minor))
    }

    @Test(arguments: examples)
    func eachHostHoldsOnlyTheKeysItNeeds(_ example: String) throws {
        let input = try RenderFixture.input(example)
        let output = try ClusterRenderer.render(input)
        let cluster = input.cluster
        for node in output.nodes {
            let host = cluster.host(named: node.host)!
            let keys = node.files.filter { $0.contents.contains("fixture key ") }
            for file in keys {
                #expect(file.mode == 0o600, "\(node.host):\(file.path) holds a key and must be 0600")
            }
            let keyNames = Set(keys.compactMap { $0.contents.split(separator: "\n").first { $0.hasPrefix("fixture key ") }.map { String($0.dropFirst(12)) } })
            // No worker holds another worker's key.
            for worker in cluster.workers where worker.name != host.name {
                #expect(!keyNames.contains(ClusterCertificates.kubeletName(worker.name)), "\(node.host) holds \(worker.name)'s kubelet key")
            }
            // The CA key only where the controller manager signs with it.
            #expect(keyNames.contains("ca") == host.has(.controller), "\(node.host): CA key present = \(keyNames.contains("ca"))")
            // A host that is only a load balancer holds no key at all.
            if host.roles == [.loadbalancer] { #expect(keyNames.isEmpty, "\(node.host) holds \(keyNames)") }
            // etcd keys only on members, and only their own.
            for member in cluster.etcdMembers where member.name != host.name {
                #expect(!keyNames.contains(ClusterCertificates.etcdServerName(member.name)) && !keyNames.contains(ClusterCertificates.etcdPeerName(member.name)))
            }
            #expect(keyNames.contains(ClusterCertificates.etcdPeerName(host.name)) == cluster.etcdMembers.contains(host))
            // Kubeconfigs embed keys too: 0600 and only where they belong.
            for file in node.files where file.path.hasSuffix("kubeconfig") {
                #expect(file.mode == 0o600, "\(node.host):\(file.path)")
            }
        }
    }

    @Test func theManifestListsEveryFileWithModeOwnerAndHash() throws {
        let output = try RenderFixture.render("lab")
        let node = try #require(output.node("worker-0"))
        let lines = node.manifest.split(separator: "\n")
        #expect(lines.count == node.files.count)
        let bridge = try #require(lines.first { $0.hasPrefix("/etc/cni/net.d/10-bridge.conf ") })
        let fields = bridge.split(separator: " ")
        #expect(fields.count == 4 && fields[1] == "0644" && fields[2] == "root:root" && fields[3].count == 64)
        #expect(lines.contains { $0.hasPrefix("/var/lib/kubelet/kubelet-key.pem 0600 root:root ") })
        #expect(lines.map { $0.split(separator: " ")[0] } == lines.map { $0.split(separator: " ")[0] }.sorted())
    }

    @Test(arguments: examples)
    func kubeconfigsPointWhereEachComponentRuns(_ example: String) throws {
        let input = try RenderFixture.input(example)
        let output = try ClusterRenderer.render(input)
        let endpoint = try #require(input.cluster.api.url)
        func read(_ name: String) throws -> (server: String, user: String, cluster: String, context: String) {
            let file = try #require(output.kubeconfigs.first { $0.path == "kubeconfigs/\(name).kubeconfig" }, "\(name)")
            let yaml = try #require(try Yams.load(yaml: file.contents) as? [String: Any])
            let cluster = ((yaml["clusters"] as? [[String: Any]])?.first)
            let user = ((yaml["users"] as? [[String: Any]])?.first)
            let context = ((yaml["contexts"] as? [[String: Any]])?.first)
            return ((cluster?["cluster"] as? [String: Any])?["server"] as? String ?? "", user?["name"] as? String ?? "",
                    cluster?["name"] as? String ?? "", context?["name"] as? String ?? "")
        }
        for worker in input.cluster.workers {
            let config = try read(worker.name)
            #expect(config.server == endpoint && config.user == "system:node:\(worker.name)")
        }
        #expect(try read("kube-proxy").server == endpoint)
        #expect(try read("admin-remote").server == endpoint)
        for local in ["kube-controller-manager", "kube-scheduler", "admin"] {
            let config = try read(local)
            #expect(config.server == "https://127.0.0.1:6443" && config.cluster == input.cluster.name && config.context == input.cluster.name, "\(local)")
        }
    }

    @Test func anUnknownAutoEndpointStopsTheRenderWithTheNextStep() throws {
        let text = ClusterExamples.named("aws")!.text
        let cluster = try #require(ClusterResolver.resolve(text: text).cluster)
        let input = RenderInput(cluster: cluster, pki: RenderFixture.pki(for: cluster), encryption: RenderFixture.ring)
        #expect { try ClusterRenderer.render(input) } throws: { error in
            (error as? RenderError)?.fix?.contains("hardway infra apply") == true && (error as? RenderError)?.code == .endpointUnknown
        }
    }

    @Test(arguments: examples)
    func podRoutesReachEveryOtherWorkerFromEveryNode(_ example: String) throws {
        let input = try RenderFixture.input(example)
        let output = try ClusterRenderer.render(input)
        for node in output.nodes {
            let unit = node.file("/etc/systemd/system/hardway-pod-routes.service")?.contents ?? ""
            for worker in input.cluster.workers {
                let line = "ExecStart=/sbin/ip route replace \(worker.podCIDR!) via \(worker.address)"
                #expect(unit.contains(line) == (worker.name != node.host), "\(node.host) → \(worker.name)")
            }
        }
    }

    @Test func etcdUnitsBuildOneClusterWithMutualTLS() throws {
        let input = try RenderFixture.input("dedicated-etcd")
        let output = try ClusterRenderer.render(input)
        let members = input.cluster.etcdMembers
        #expect(members.count == 2 && members.allSatisfy { !$0.has(.controller) })
        for member in members {
            let unit = try #require(output.node(member.name)?.file("/etc/systemd/system/etcd.service"))
            let arguments = try #require(UnitCommand.parseExecStart(unit: unit.contents)).arguments
            #expect(arguments.contains("--client-cert-auth=true") && arguments.contains("--peer-client-cert-auth=true"))
            #expect(arguments.contains("--pre-vote=true"), "a restarted follower does not depose the leader (etcd 3.4's default is false)")
            // The first-start settings come from the bootstrap file, which the unit reads before the
            // join file apply writes on a member that joins a running etcd.
            #expect(unit.contents.contains("EnvironmentFile=/etc/etcd/bootstrap.env\nEnvironmentFile=-/etc/etcd/join.env\n"))
            let bootstrap = try #require(output.node(member.name)?.file("/etc/etcd/bootstrap.env"))
            #expect(bootstrap.units.isEmpty, "a changed member list restarts no member")
            let expanded = UnitCommand.expand(arguments, environment: UnitCommand.parseEnvironmentFile(bootstrap.contents))
            #expect(expanded.contains("--initial-cluster=\(input.cluster.etcdInitialCluster)"))
            #expect(expanded.contains("--initial-cluster-state=new"))
            #expect(arguments.contains("--listen-client-urls=https://\(member.address):2379,https://127.0.0.1:2379"))
        }
        for controller in input.cluster.controllers {
            #expect(output.node(controller.name)?.file("/etc/systemd/system/etcd.service") == nil, "dedicated etcd: no etcd on \(controller.name)")
            let api = try #require(output.node(controller.name)?.file("/etc/systemd/system/kube-apiserver.service"))
            #expect(api.contents.contains("--etcd-servers=\(input.cluster.etcdClientURLs.joined(separator: ","))"))
        }
    }

    /// Where 1.20 differs from the current releases, each rendered its own way.
    @Test func filesFollowTheirRelease() throws {
        let old = try RenderFixture.render("lab")
        let new = try RenderFixture.render("lab") { RenderFixture.pin($0, kubernetes: "v1.31.4") }
        func file(_ output: RenderOutput, _ host: String, _ path: String) throws -> String { try #require(output.node(host)?.file(path)).contents }
        // The kubelet's runtime endpoint: flags in 1.20, the configuration file later.
        #expect(try file(old, "worker-0", "/etc/systemd/system/kubelet.service").contains("--container-runtime=remote"))
        #expect(try file(old, "worker-0", "/etc/systemd/system/kubelet.service").contains("--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock"))
        #expect(try !file(old, "worker-0", "/var/lib/kubelet/kubelet-config.yaml").contains("containerRuntimeEndpoint"))
        #expect(try !file(new, "worker-0", "/etc/systemd/system/kubelet.service").contains("--container-runtime"))
        #expect(try file(new, "worker-0", "/var/lib/kubelet/kubelet-config.yaml").contains("containerRuntimeEndpoint: unix:///var/run/containerd/containerd.sock"))
        // The scheduler: a v1 configuration file; in 1.20 flags alone (with a file it serves :10251 whatever --port says).
        #expect(old.node("master-0")?.file("/etc/kubernetes/config/kube-scheduler.yaml") == nil)
        #expect(try file(old, "master-0", "/etc/systemd/system/kube-scheduler.service").contains("--kubeconfig=/var/lib/kubernetes/kube-scheduler.kubeconfig \\\n  --leader-elect=true \\\n  --port=0"))
        #expect(try file(new, "master-0", "/etc/kubernetes/config/kube-scheduler.yaml").hasPrefix("apiVersion: kubescheduler.config.k8s.io/v1\n"))
        // 1.20's plain, unauthenticated ports are closed; later releases have none.
        #expect(try file(old, "master-0", "/etc/systemd/system/kube-apiserver.service").contains("--insecure-port=0"))
        #expect(try file(old, "master-0", "/etc/systemd/system/kube-controller-manager.service").contains("--port=0"))
        // registerNode is a configuration field from 1.24 on; 1.20 has only the flag.
        #expect(try !file(old, "worker-0", "/var/lib/kubelet/kubelet-config.yaml").contains("registerNode"))
        #expect(try file(new, "worker-0", "/var/lib/kubelet/kubelet-config.yaml").contains("registerNode: true"))
        for unit in ["kube-apiserver", "kube-controller-manager", "kube-scheduler"] {
            #expect(try !file(new, "master-0", "/etc/systemd/system/\(unit).service").contains("port=0"), "\(unit)")
        }

        // containerd's sandbox image is the release's pause image (what `binaries build` names the one it builds).
        #expect(try file(old, "worker-0", "/etc/containerd/config.toml").contains("sandbox_image = \"registry.k8s.io/pause:3.2\""))
        // (containerd 2, the newer release's pairing, reads the version 3 schema: the sandbox image is pinned.)
        #expect(try file(new, "worker-0", "/etc/containerd/config.toml").contains("sandbox = 'registry.k8s.io/pause:3.10'"))
    }

    /// addons.dns: false renders no CoreDNS anywhere, and kubelets without a cluster DNS address.
    @Test func dnsOff() throws {
        let off = try RenderFixture.render("lab")
        let on = try RenderFixture.render("lab") { $0.replacingOccurrences(of: "dns: false", with: "dns: true") }
        #expect(off.manifests.map(\.path) == ["manifests/kubelet-rbac.yaml"])
        #expect(on.manifests.map(\.path).contains("manifests/coredns.yaml"))
        #expect(off.node("master-0")?.file("/etc/kubernetes/addons/coredns.yaml") == nil)
        #expect(off.node("worker-0")?.file("/var/lib/kubelet/kubelet-config.yaml")?.contents.contains("clusterDNS") == false)
        #expect(on.node("worker-0")?.file("/var/lib/kubelet/kubelet-config.yaml")?.contents.contains("clusterDNS:\n  - 10.32.0.10\n") == true)
    }

    @Test func configFilesAreTheirAPITypes() throws {
        let output = try RenderFixture.render("lab") {
            RenderFixture.pin($0, kubernetes: "v1.31.4").replacingOccurrences(of: "dns: false", with: "dns: true")
        }
        let controller = try #require(output.node("master-0"))
        let worker = try #require(output.node("worker-0"))
        let expected: [(NodeBundle, String, String, String)] = [
            (controller, "/var/lib/kubernetes/encryption-config.yaml", "apiserver.config.k8s.io/v1", "EncryptionConfiguration"),
            (controller, "/var/lib/kubernetes/audit-policy.yaml", "audit.k8s.io/v1", "Policy"),
            (controller, "/etc/kubernetes/config/kube-scheduler.yaml", "kubescheduler.config.k8s.io/v1", "KubeSchedulerConfiguration"),
            (worker, "/var/lib/kubelet/kubelet-config.yaml", "kubelet.config.k8s.io/v1beta1", "KubeletConfiguration"),
            (worker, "/var/lib/kube-proxy/kube-proxy-config.yaml", "kubeproxy.config.k8s.io/v1alpha1", "KubeProxyConfiguration"),
        ]
        for (node, path, apiVersion, kind) in expected {
            let file = try #require(node.file(path), "\(path)")
            let yaml = try #require(try Yams.load(yaml: file.contents) as? [String: Any], "\(path) is YAML")
            #expect(yaml["apiVersion"] as? String == apiVersion && yaml["kind"] as? String == kind, "\(path)")
        }
        let kubelet = try #require(try Yams.load(yaml: worker.file("/var/lib/kubelet/kubelet-config.yaml")!.contents) as? [String: Any])
        #expect(kubelet["podCIDR"] as? String == "10.200.0.0/24" && kubelet["clusterDNS"] as? [String] == ["10.32.0.10"])
        #expect(kubelet["cgroupDriver"] as? String == "systemd")
        let bridge = try #require(try JSONSerialization.jsonObject(with: Data(worker.file("/etc/cni/net.d/10-bridge.conf")!.contents.utf8)) as? [String: Any])
        let ranges = (bridge["ipam"] as? [String: Any])?["ranges"] as? [[[String: String]]]
        #expect(ranges?.first?.first?["subnet"] == "10.200.0.0/24" && (bridge["ipam"] as? [String: Any])?["type"] as? String == "host-local")
        let manifests = try Yams.load_all(yaml: output.manifests.first { $0.path == "manifests/coredns.yaml" }!.contents).map { $0 as? [String: Any] }
        let service = try #require(manifests.first { $0?["kind"] as? String == "Service" } ?? nil)
        #expect((service["spec"] as? [String: Any])?["clusterIP"] as? String == "10.32.0.10")
        let deployment = try #require(manifests.first { $0?["kind"] as? String == "Deployment" } ?? nil)
        #expect("\(deployment)".contains("registry.k8s.io/coredns/coredns:v1.11.3"), "the image is pinned for v1.31")
    }

    @Test func loadBalancersSpreadOverEveryController() throws {
        let haproxy = try #require(try RenderFixture.render("lab").node("lb-0")?.file("/etc/haproxy/haproxy.cfg")).contents
        for address in ["10.240.0.10", "10.240.0.11", "10.240.0.12"] { #expect(haproxy.contains("\(address):6443 check")) }
        #expect(haproxy.contains("balance roundrobin") && haproxy.contains("fall 3 rise 2") && haproxy.contains("bind 10.240.0.5:6443"))
        let nginx = try RenderFixture.render("lab") { $0.replacingOccurrences(of: "kind: haproxy", with: "kind: nginx") }
        let config = try #require(nginx.node("lb-0")?.file("/etc/nginx/nginx.conf")).contents
        #expect(config.contains("stream {") && config.contains("listen 10.240.0.5:6443;") && config.contains("include hardway-apiservers/*.conf;"))
        let upstream = try #require(nginx.node("lb-0")?.file("/etc/nginx/hardway-apiservers/master-2.conf")).contents
        #expect(upstream == "server 10.240.0.12:6443 max_fails=3 fail_timeout=10s;\n")
        #expect(haproxy.contains("option httpchk GET /readyz") && haproxy.contains("verify required ca-file /etc/haproxy/kubernetes-ca.pem"))
        let ca = try RenderFixture.render("lab").node("lb-0")?.file("/etc/haproxy/kubernetes-ca.pem")?.contents
        let clusterCA = RenderFixture.pki(for: try RenderFixture.cluster("lab")).certificates["ca"]
        #expect(ca != nil && ca == clusterCA)
        #expect(nginx.node("lb-0")?.file("/etc/haproxy/haproxy.cfg") == nil)
    }

    /// Behind HAProxy a stopping API server goes on serving, its /readyz failing, until HAProxy's
    /// checks have taken it out (so it never resets a connection HAProxy just passed on); systemd
    /// then gives it the same 5 s to drain. nginx cannot see /readyz: no delay there.
    @Test func apiServerStopsOnlyOnceHAProxyHasTakenItOut() throws {
        let haproxy = try RenderFixture.render("lab")
        let unit = try #require(haproxy.node("master-0")?.file("/etc/systemd/system/kube-apiserver.service")).contents
        let delay = try #require(unit.firstMatch(of: /--shutdown-delay-duration=(\d+)s/).map { Double($0.1)! })
        #expect(delay > LoadBalancerRenderer.haproxyTakesOutSeconds, "the delay outlasts HAProxy's checks: \(delay) s")
        #expect(unit.contains("TimeoutStopSec=\(Int(delay) + 5)\n"), "\(unit)")
        let config = try #require(haproxy.node("lb-0")?.file("/etc/haproxy/haproxy.cfg")).contents
        #expect(config.contains("inter 2s fastinter 500ms downinter 1s fall 3 rise 2"), "the checks the delay is reckoned from: \(config)")
        #expect(LoadBalancerRenderer.haproxyTakesOutSeconds == 3)
        let nginx = try RenderFixture.render("lab") { $0.replacingOccurrences(of: "kind: haproxy", with: "kind: nginx") }
        let nginxUnit = try #require(nginx.node("master-0")?.file("/etc/systemd/system/kube-apiserver.service")).contents
        #expect(!nginxUnit.contains("shutdown-delay-duration") && nginxUnit.contains("TimeoutStopSec=5\n"), "\(nginxUnit)")
    }
}

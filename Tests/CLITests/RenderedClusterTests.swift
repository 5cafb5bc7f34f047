import Foundation
import Testing
import Yams
import Render

/// The rendered files, run by the real programs: etcd, HAProxy, nginx, containerd, kubectl, curl.
@Suite(.serialized) struct RenderedClusterTests {
    /// The lab example issued and rendered by the binary into a scratch directory.
    static func rendered(_ example: String = "lab", editing edit: ((String) -> String)? = nil) throws -> (directory: String, out: String) {
        let directory = try Scratch.directory()
        var file = Scratch.example(example)
        if let edit {
            file = "\(directory)/cluster.yaml"
            try Scratch.write(edit(try String(contentsOfFile: Scratch.example(example), encoding: .utf8)), to: file)
        }
        let issue = try Program.hardway(["pki", "issue", "-f", file, "--dir", "out"], in: directory)
        guard issue.status == 0 else { throw NetworkLab.Failure(message: "pki issue: \(issue)") }
        let render = try Program.hardway(["render", "-f", file, "--dir", "out"], in: directory)
        guard render.status == 0 else { throw NetworkLab.Failure(message: "render: \(render)") }
        return (directory, "\(directory)/out")
    }

    static let hosts: [(name: String, address: String)] = [
        ("lb-0", "10.240.0.5"), ("master-0", "10.240.0.10"), ("master-1", "10.240.0.11"), ("master-2", "10.240.0.12"),
    ]

    @Test func kubectlReadsEveryKubeconfig() throws {
        let (_, out) = try Self.rendered()
        let kubectl = try Program.tool("kubectl")
        let ca = try String(contentsOfFile: "\(out)/pki/ca.pem", encoding: .utf8)
        let expected: [String: (String, String)] = [
            "worker-0": ("https://10.240.0.5:6443", "system:node:worker-0"), "worker-1": ("https://10.240.0.5:6443", "system:node:worker-1"),
            "kube-proxy": ("https://10.240.0.5:6443", "system:kube-proxy"), "admin-remote": ("https://10.240.0.5:6443", "admin"),
            "admin": ("https://127.0.0.1:6443", "admin"), "kube-scheduler": ("https://127.0.0.1:6443", "system:kube-scheduler"),
            "kube-controller-manager": ("https://127.0.0.1:6443", "system:kube-controller-manager"),
        ]
        for (name, (server, user)) in expected {
            let run = try Program.run(kubectl, ["config", "view", "--raw", "--kubeconfig", "\(out)/kubeconfigs/\(name).kubeconfig", "-o",
                                                "jsonpath={.clusters[0].cluster.server}|{.users[0].name}|{.current-context}|{.clusters[0].cluster.certificate-authority-data}"], in: out)
            let fields = run.stdout.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            #expect(run.status == 0 && fields.count == 4, "\(name): \(run)")
            guard fields.count == 4 else { continue }
            #expect(fields[0] == server && fields[1] == user && fields[2] == "lab", "\(name): \(fields.prefix(3))")
            #expect(Data(base64Encoded: fields[3]).map { String(decoding: $0, as: UTF8.self) } == ca, "\(name) embeds the cluster CA")
        }
        // The worker's copy on the node is the same file.
        let onNode = try String(contentsOfFile: "\(out)/nodes/worker-0/var/lib/kubelet/kubeconfig", encoding: .utf8)
        #expect(onNode == (try String(contentsOfFile: "\(out)/kubeconfigs/worker-0.kubeconfig", encoding: .utf8)))
    }

    @Test func haproxyNginxAndContainerdAcceptTheirConfigs() throws {
        let (_, out) = try Self.rendered()
        let haproxy = try Program.run(try Program.tool("haproxy"), ["-c", "-f", try Self.haproxyConfig(out)], in: out)
        #expect(haproxy.status == 0, "\(haproxy)")
        let containerd = try Program.run(try Program.tool("containerd"), ["--config", "\(out)/nodes/worker-0/etc/containerd/config.toml", "config", "dump"], in: out)
        #expect(containerd.status == 0 && containerd.stdout.contains("SystemdCgroup = true"), "\(containerd)")

        let (_, nginxOut) = try Self.rendered { $0.replacingOccurrences(of: "kind: haproxy", with: "kind: nginx") }
        // nginx -t binds the listen address: inside a namespace that has the load balancer's address.
        let lab = try NetworkLab(hosts: [("lb-0", "10.240.0.5")])
        defer { lab.close() }
        let nginx = try lab.run(in: "lb-0", try Program.tool("nginx"), ["-t", "-c", "\(nginxOut)/nodes/lb-0/etc/nginx/nginx.conf"])
        #expect(nginx.status == 0 && nginx.stderr.contains("test is successful"), "\(nginx)")
        // A broken file is caught: the check is not a formality.
        try Scratch.write("frontend x\n  bind :notaport\n", to: "\(out)/broken.cfg")
        #expect(try Program.run(try Program.tool("haproxy"), ["-c", "-f", "\(out)/broken.cfg"], in: out).status != 0)
    }

    /// The three members' rendered `ExecStart`, each in its own namespace at its own address, with the
    /// node bundle's files in place of /etc/etcd and a scratch data directory.
    @Test func threeRenderedEtcdMembersFormOneClusterOverMutualTLS() throws {
        let (directory, out) = try Self.rendered()
        let etcd = try Program.tool("etcd"), etcdctl = try Program.tool("etcdctl")
        let lab = try NetworkLab(hosts: Self.hosts)
        defer { lab.close() }
        for member in ["master-0", "master-1", "master-2"] {
            let unit = try String(contentsOfFile: "\(out)/nodes/\(member)/etc/systemd/system/etcd.service", encoding: .utf8)
            let command = try #require(UnitCommand.parseExecStart(unit: unit))
            #expect(command.program == "/usr/local/bin/etcd")
            let bootstrap = try String(contentsOfFile: "\(out)/nodes/\(member)/etc/etcd/bootstrap.env", encoding: .utf8)
            let arguments = UnitCommand.expand(command.arguments, environment: UnitCommand.parseEnvironmentFile(bootstrap)).map {
                $0.replacingOccurrences(of: "=/etc/etcd/", with: "=\(out)/nodes/\(member)/etc/etcd/")
                  .replacingOccurrences(of: "--data-dir=/var/lib/etcd", with: "--data-dir=\(directory)/etcd-\(member)")
            }
            try lab.start(in: member, etcd, arguments, log: "\(directory)/etcd-\(member).log")
        }
        let pki = "\(out)/pki"
        let endpoints = "https://10.240.0.10:2379,https://10.240.0.11:2379,https://10.240.0.12:2379"
        let tls = ["--cacert=\(pki)/etcd-ca.pem", "--cert=\(pki)/kube-apiserver-etcd-client.pem", "--key=\(pki)/kube-apiserver-etcd-client-key.pem"]
        var health = Run(status: -1, stdout: "", stderr: "")
        let healthy = try NetworkLab.wait(30, every: 0.5) {
            health = try lab.run(in: "hub", etcdctl, ["--endpoints=\(endpoints)"] + tls + ["endpoint", "health"])
            return health.status == 0
        }
        #expect(healthy, "endpoint health: \(health)\n\(Self.logs(directory))")
        guard healthy else { return }
        #expect(health.stdout.components(separatedBy: "is healthy").count - 1 == 3 || health.stderr.components(separatedBy: "is healthy").count - 1 == 3, "\(health)")

        let members = try lab.run(in: "hub", etcdctl, ["--endpoints=https://10.240.0.10:2379"] + tls + ["member", "list"])
        #expect(members.status == 0 && members.stdout.split(separator: "\n").count == 3, "\(members)")
        for name in ["master-0", "master-1", "master-2"] { #expect(members.stdout.contains(", \(name), https://")) }

        let put = try lab.run(in: "hub", etcdctl, ["--endpoints=https://10.240.0.10:2379"] + tls + ["put", "/hardway/test", "across members"])
        #expect(put.status == 0, "\(put)")
        let get = try lab.run(in: "hub", etcdctl, ["--endpoints=https://10.240.0.12:2379"] + tls + ["get", "/hardway/test", "--print-value-only"])
        #expect(get.status == 0 && get.stdout == "across members\n", "\(get)")

        // No client certificate: refused.
        let anonymous = try lab.run(in: "hub", etcdctl, ["--endpoints=https://10.240.0.11:2379", "--cacert=\(pki)/etcd-ca.pem",
                                                         "--dial-timeout=3s", "--command-timeout=5s", "get", "/hardway/test"])
        #expect(anonymous.status != 0 && !anonymous.stdout.contains("across members"), "\(anonymous)")
        // etcd trusts only etcd-ca: the cluster's other identities, the admin's included, are refused.
        for name in ["admin", "kubelet-worker-0", "kube-apiserver"] {
            let refused = try lab.run(in: "hub", etcdctl, ["--endpoints=https://10.240.0.11:2379", "--cacert=\(pki)/etcd-ca.pem",
                                                           "--cert=\(pki)/\(name).pem", "--key=\(pki)/\(name)-key.pem",
                                                           "--dial-timeout=3s", "--command-timeout=5s", "get", "/hardway/test"])
            #expect(refused.status != 0 && !refused.stdout.contains("across members"), "\(name): \(refused)")
        }
    }

    /// HAProxy with the rendered config in front of three TLS servers that present the API server
    /// certificate and demand a client certificate from the CA: a client with the admin certificate
    /// gets through the endpoint with hostname checks on, and keeps getting through with a backend down.
    @Test func renderedHAProxyFailsOverBetweenControllers() throws {
        let (directory, out) = try Self.rendered()
        let openssl = try Program.tool("openssl"), curl = try Program.tool("curl"), haproxy = try Program.tool("haproxy")
        let lab = try NetworkLab(hosts: Self.hosts)
        defer { lab.close() }
        let pki = "\(out)/pki"
        var servers: [String: Process] = [:]
        for member in ["master-0", "master-1", "master-2"] {
            let node = "\(out)/nodes/\(member)/var/lib/kubernetes"
            servers[member] = try lab.start(in: member, openssl, [
                "s_server", "-accept", "6443", "-cert", "\(node)/kube-apiserver.pem", "-key", "\(node)/kube-apiserver-key.pem",
                // A client certificate asked for, not required, as an API server does: HAProxy's
                // /readyz check comes without one (the -www page answers it with 200).
                "-CAfile", "\(node)/ca.pem", "-verify", "1", "-www", "-quiet",
            ], log: "\(directory)/s_server-\(member).log")
        }
        try lab.start(in: "lb-0", haproxy, ["-db", "-f", try Self.haproxyConfig(out)], log: "\(directory)/haproxy.log")

        func request() throws -> Run {
            try lab.run(in: "hub", curl, ["-sS", "--max-time", "5", "--cacert", "\(pki)/ca.pem", "--cert", "\(pki)/admin.pem",
                                          "--key", "\(pki)/admin-key.pem", "https://10.240.0.5:6443/"])
        }
        let up = try NetworkLab.wait(20, every: 0.3) { try request().status == 0 }
        let last = try request()
        #expect(up, "through the endpoint: \(last)\n\(Self.logs(directory))")
        guard up else { return }
        // Hostname verification is on: a name the certificate does not carry fails.
        let wrongName = try lab.run(in: "hub", curl, ["-sS", "--max-time", "5", "--cacert", "\(pki)/ca.pem", "--cert", "\(pki)/admin.pem",
                                                      "--key", "\(pki)/admin-key.pem", "--resolve", "wrong.example:6443:10.240.0.5", "https://wrong.example:6443/"])
        #expect(wrongName.status != 0, "\(wrongName)")

        NetworkLab.stop(servers["master-1"]!)
        for attempt in 1...9 {
            let run = try request()
            #expect(run.status == 0 && run.stdout.contains("s_server"), "request \(attempt) with master-1 down: \(run)")
        }
    }

    /// The rendered haproxy.cfg with its CA file where the render put it (on the host it is
    /// /etc/haproxy/kubernetes-ca.pem, which this box does not have).
    static func haproxyConfig(_ out: String) throws -> String {
        let node = "\(out)/nodes/lb-0/etc/haproxy"
        let text = try String(contentsOfFile: "\(node)/haproxy.cfg", encoding: .utf8)
            .replacingOccurrences(of: "ca-file /etc/haproxy/kubernetes-ca.pem", with: "ca-file \(node)/kubernetes-ca.pem")
        try Scratch.write(text, to: "\(node)/haproxy-here.cfg")
        return "\(node)/haproxy-here.cfg"
    }

    static func logs(_ directory: String) -> String {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".log") }.sorted().map {
            "--- \($0)\n" + ((try? String(contentsOfFile: "\(directory)/\($0)", encoding: .utf8)).map { String($0.suffix(2000)) } ?? "")
        }.joined(separator: "\n")
    }
}

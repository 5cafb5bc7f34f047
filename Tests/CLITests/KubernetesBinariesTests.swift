import Foundation
import Testing
import Render

/// `hardway binaries build` and the real v1.20.2 programs it builds from Debian's source: their
/// versions, their flags against every rendered unit, kube-apiserver with the issued PKI against a
/// real etcd, and the images in a real containerd. scripts/test builds Kubernetes once before the
/// tests (the build is cached per version on the box); these tests fill their own directories from
/// that cache in seconds and never build it themselves.
@Suite("kubernetes binaries built from Debian's source", .serialized)
struct KubernetesBinariesTests {
    static let version = "v1.20.2"
    static let etcdVersion = "v3.4.23"

    /// The cache `binaries build` fills: a test that would start a build of several minutes fails
    /// instead, saying how to make it.
    static func requireBuild() throws {
        let cache = (ProcessInfo.processInfo.environment["HARDWAY_CACHE"] ?? "/var/cache/hardway") + "/kubernetes"
        let builds = ((try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? []).filter {
            $0.hasPrefix(version + "-") && FileManager.default.fileExists(atPath: "\(cache)/\($0)/build.json")
        }
        guard !builds.isEmpty else {
            throw LabMachineTests.Failure("Kubernetes \(version) is not built in \(cache): scripts/test builds it once (`hardway binaries build -f examples/lab.yaml`) before the tests")
        }
    }

    /// The lab example's binaries, filled into a scratch directory.
    static func filled() throws -> (directory: String, binaries: String, run: Run) {
        try requireBuild()
        let directory = try Scratch.directory()
        let run = try Program.hardway(["binaries", "build", "-f", Scratch.example("lab"), "--dir", "out", "-o", "json"], in: directory)
        guard run.status == 0 else { throw NetworkLab.Failure(message: "binaries build: \(run)") }
        return (directory, "\(directory)/out/binaries", run)
    }

    static func pinned(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.hasPrefix("kubernetesVersion:") { return "kubernetesVersion: \(version)" }
            if line.hasPrefix("etcdVersion:") { return "etcdVersion: \(etcdVersion)" }
            return String(line)
        }.joined(separator: "\n")
    }

    @Test("binaries build: every program at the file's version, images, SHA256SUMS that sha256sum accepts; a second run keeps everything")
    func buildFillsTheDirectory() throws {
        let (directory, binaries, run) = try Self.filled()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let report = try #require(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run)")
        let items = try #require(report["binaries"] as? [[String: Any]])
        func item(_ name: String) -> [String: Any]? { items.first { $0["name"] as? String == name } }
        for name in ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl"] {
            #expect(item(name)?["version"] as? String == Self.version, "\(name): \(String(describing: item(name)))")
            #expect((item(name)?["source"] as? String)?.contains("Debian's source kubernetes") == true)
        }
        for name in ["etcd", "etcdctl"] { #expect(item(name)?["version"] as? String == Self.etcdVersion, "\(name)") }
        for name in ["containerd", "containerd-shim-runc-v2", "ctr", "runc", "cni/bridge", "cni/host-local", "cni/loopback"] {
            #expect(item(name) != nil, "\(name) is in the directory")
            #expect(FileManager.default.isExecutableFile(atPath: "\(binaries)/\(name)"), "\(name)")
        }
        let images = try #require(report["images"] as? [[String: Any]])
        #expect(Set(images.compactMap { $0["name"] as? String }) == ["registry.k8s.io/pause:3.2", "localhost/hardway/busybox:1.35.0"], "\(images)")

        // The programs themselves say their versions.
        let apiserver = try Program.run("\(binaries)/kube-apiserver", ["--version"], in: directory)
        #expect(apiserver.stdout == "Kubernetes \(Self.version)\n", "\(apiserver)")
        let sums = try Program.run("/usr/bin/sha256sum", ["-c", "--strict", "SHA256SUMS"], in: binaries)
        #expect(sums.status == 0 && sums.stdout.contains("images/pause.tar: OK") && sums.stdout.contains("kubelet: OK"), "\(sums)")
        let recorded = try String(contentsOfFile: "\(binaries)/versions.json", encoding: .utf8)
        #expect(recorded.contains("\"version\" : \"\(Self.version)\""))

        // An archive of the user's own is listed as theirs; the second run changes nothing else.
        try FileManager.default.copyItem(atPath: "\(binaries)/images/pause.tar", toPath: "\(binaries)/images/mine.tar")
        let again = try Program.hardway(["binaries", "build", "-f", Scratch.example("lab"), "--dir", "out", "-o", "json"], in: directory)
        let second = try #require(JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any], "\(again)")
        let actions = Set((second["binaries"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String })
        #expect(actions == ["kept"], "\(again.stdout)")
        #expect(second["built"] as? Bool == false)
        let mine = (second["images"] as? [[String: Any]] ?? []).first { $0["file"] as? String == "images/mine.tar" }
        #expect(mine?["action"] as? String == "yours" && mine?["name"] as? String == "registry.k8s.io/pause:3.2", "\(String(describing: mine))")
    }

    /// Each unit's flags, as rendered for v1.20.2: listed in the built program's `--help` (or among
    /// the release's hidden flags), and accepted when the program parses them.
    @Test("every rendered flag of every v1.20.2 unit is accepted by the built binary", arguments: ["lab", "dedicated-etcd", "single-controller"])
    func renderedFlagsAreAcceptedByTheBuiltBinaries(_ example: String) throws {
        let (directory, binaries, _) = try Self.filled()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (renderDirectory, out) = try RenderedClusterTests.rendered(example, editing: Self.pinned)
        defer { try? FileManager.default.removeItem(atPath: renderDirectory) }
        let release = try KubernetesRelease.forVersion(Self.version)
        var help: [String: Set<String>] = [:]
        var checked = 0
        for host in try FileManager.default.contentsOfDirectory(atPath: "\(out)/nodes").sorted() {
            let units = "\(out)/nodes/\(host)/etc/systemd/system"
            for file in ((try? FileManager.default.contentsOfDirectory(atPath: units)) ?? []).sorted() where file.hasSuffix(".service") {
                let unit = try String(contentsOfFile: "\(units)/\(file)", encoding: .utf8)
                guard let command = UnitCommand.parseExecStart(unit: unit) else { continue }
                let program = (command.program as NSString).lastPathComponent
                guard let component = KubernetesRelease.Component(rawValue: program) else { continue }
                if help[program] == nil {
                    let text = try Program.run("\(binaries)/\(program)", ["--help"], in: directory)
                    help[program] = Self.flags(inHelp: text.stdout + text.stderr)
                    // The release data hardway renders from is exactly what the program documents.
                    #expect(release.flags[component] == help[program], "\(program): the v1.20 flag set differs from its --help: only in the data \(release.flags[component]!.subtracting(help[program]!).sorted()), only in --help \(help[program]!.subtracting(release.flags[component]!).sorted())")
                }
                for argument in command.arguments {
                    let name = String(argument.dropFirst(2).prefix { $0 != "=" })
                    let hidden = release.hiddenFlags[component]?.contains(name) == true
                    #expect(help[program]!.contains(name) || hidden, "\(host) \(program): --\(name) is not in its --help")
                    checked += 1
                }
                // Parsing all of them: an unknown flag or a bad value stops the program before --version.
                let parsed = try Program.run("\(binaries)/\(program)", command.arguments + ["--version"], in: directory)
                #expect(parsed.status == 0 && parsed.stdout.contains("Kubernetes \(Self.version)"), "\(host) \(program) refuses its rendered flags: \(parsed)")
            }
        }
        #expect(checked > 40, "\(example): the flags of the Kubernetes units were checked")
    }

    /// Flag names from a Kubernetes program's help (`  -v, --v Level`, `      --name string`).
    static func flags(inHelp text: String) -> Set<String> {
        var names: Set<String> = []
        for line in text.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " }
            guard line.hasPrefix(" "), let dashes = trimmed.range(of: "--"),
                  trimmed.hasPrefix("--") || (trimmed.hasPrefix("-") && trimmed.dropFirst(2).hasPrefix(", --")) else { continue }
            let name = trimmed[dashes.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" }
            if !name.isEmpty { names.insert(String(name)) }
        }
        return names
    }

    /// The built kube-apiserver with the rendered unit and the issued PKI, in front of the rendered
    /// etcd, both in a namespace at the controller's address.
    @Test("kube-apiserver v1.20.2 with the issued PKI against a real etcd: /livez, a pretty GET of a map, YAML, namespaces, encryption at rest, no plain port")
    func apiServerServesWithTheIssuedPKI() throws {
        let (directory, binaries, _) = try Self.filled()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (renderDirectory, out) = try RenderedClusterTests.rendered("single-controller", editing: Self.pinned)
        defer { try? FileManager.default.removeItem(atPath: renderDirectory) }
        let node = "\(out)/nodes/controller-0"
        let lab = try NetworkLab(hosts: [("controller-0", "10.116.0.2")])
        defer { lab.close() }

        // As systemd runs them: etcd's first-start settings come from its rendered environment file.
        let environment = UnitCommand.parseEnvironmentFile(try String(contentsOfFile: "\(node)/etc/etcd/bootstrap.env", encoding: .utf8))
        func arguments(_ unit: String, _ rewrite: (String) -> String) throws -> [String] {
            let text = try String(contentsOfFile: "\(node)/etc/systemd/system/\(unit).service", encoding: .utf8)
            return UnitCommand.expand(try #require(UnitCommand.parseExecStart(unit: text)).arguments, environment: environment).map(rewrite)
        }
        try lab.start(in: "controller-0", "\(binaries)/etcd", try arguments("etcd") {
            $0.replacingOccurrences(of: "=/etc/etcd/", with: "=\(node)/etc/etcd/").replacingOccurrences(of: "=/var/lib/etcd", with: "=\(renderDirectory)/etcd")
        }, log: "\(renderDirectory)/etcd.log")
        try lab.start(in: "controller-0", "\(binaries)/kube-apiserver", try arguments("kube-apiserver") {
            $0.replacingOccurrences(of: "=/var/lib/kubernetes/", with: "=\(node)/var/lib/kubernetes/")
              .replacingOccurrences(of: "=/var/log/kubernetes/", with: "=\(renderDirectory)/")
        }, log: "\(renderDirectory)/kube-apiserver.log")
        let logs = { (try? String(contentsOfFile: "\(renderDirectory)/kube-apiserver.log", encoding: .utf8))?.split(separator: "\n").suffix(15).joined(separator: "\n") ?? "" }

        let kubectl = "\(binaries)/kubectl"
        let admin = ["--kubeconfig", "\(node)/etc/kubernetes/admin.kubeconfig"]
        var livez = Run(status: -1, stdout: "", stderr: "")
        let live = try NetworkLab.wait(90, every: 1) {
            livez = try lab.run(in: "controller-0", kubectl, admin + ["get", "--raw", "/livez"])
            return livez.status == 0 && livez.stdout.hasPrefix("ok")
        }
        try #require(live, "/livez: \(livez)\n\(logs())")

        let namespaces = try lab.run(in: "controller-0", kubectl, admin + ["get", "ns", "-o", "name"])
        #expect(namespaces.status == 0 && namespaces.stdout.contains("namespace/kube-system") && namespaces.stdout.contains("namespace/default"), "\(namespaces)")

        // A map-valued object read with ?pretty=true: what crashed the build with the vendored reflect2 1.0.1.
        let create = try lab.run(in: "controller-0", kubectl, admin + ["create", "configmap", "several", "--from-literal=one=1", "--from-literal=two=2", "--from-literal=three=3"])
        #expect(create.status == 0, "\(create)")
        let pretty = try lab.run(in: "controller-0", kubectl, admin + ["get", "--raw", "/api/v1/namespaces/default/configmaps/several?pretty=true"])
        #expect(pretty.status == 0 && pretty.stdout.contains("\n    \"three\": \"3\""), "\(pretty)\n\(logs())")
        let yaml = try lab.run(in: "controller-0", kubectl, admin + ["get", "configmap", "several", "-o", "yaml"])
        #expect(yaml.status == 0 && yaml.stdout.contains("  two: \"2\""), "\(yaml)")
        let still = try lab.run(in: "controller-0", kubectl, admin + ["get", "--raw", "/livez"])
        #expect(still.stdout.hasPrefix("ok"), "kube-apiserver survived the pretty GET: \(still)\n\(logs())")

        // A secret reaches etcd encrypted with the rendered provider.
        #expect(try lab.run(in: "controller-0", kubectl, admin + ["create", "secret", "generic", "probe", "--from-literal=k=v"]).status == 0)
        let pki = "\(out)/pki"
        let etcdctl = "\(binaries)/etcdctl --endpoints=https://10.116.0.2:2379 --cacert=\(pki)/etcd-ca.pem --cert=\(pki)/kube-apiserver-etcd-client.pem --key=\(pki)/kube-apiserver-etcd-client-key.pem"
        // The value is binary after its prefix: only the prefix is read.
        let raw = try lab.run(in: "controller-0", "/bin/sh", ["-c", "\(etcdctl) get /registry/secrets/default/probe --print-value-only | head -c 18"])
        #expect(raw.stdout.hasPrefix("k8s:enc:aescbc:v1:"), "\(raw.stdout.prefix(40))")

        // --insecure-port=0: nothing serves plain HTTP on 127.0.0.1:8080.
        let plain = try lab.run(in: "controller-0", try Program.tool("curl"), ["-s", "-o", "/dev/null", "--max-time", "3", "http://127.0.0.1:8080/api"])
        #expect(plain.status == 7, "curl to 127.0.0.1:8080 must find nothing listening: \(plain)")
    }

    /// The archives in a real containerd (its own root, state and socket under a scratch directory).
    @Test("the images import into a real containerd, ctr lists them, the pause image runs and busybox has its applets")
    func imagesImportIntoContainerd() throws {
        let (directory, binaries, _) = try Self.filled()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let base = "/tmp/hwt-ctd-\(UInt32.random(in: 0...99999))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        try Scratch.write("""
        version = 2
        root = "\(base)/root"
        state = "\(base)/state"
        disabled_plugins = ["io.containerd.grpc.v1.cri"]
        [grpc]
          address = "\(base)/containerd.sock"

        """, to: "\(base)/config.toml")
        let containerd = Process()
        containerd.executableURL = URL(fileURLWithPath: "\(binaries)/containerd")
        containerd.arguments = ["--config", "\(base)/config.toml"]
        FileManager.default.createFile(atPath: "\(base)/containerd.log", contents: nil)
        containerd.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(base)/containerd.log"))
        containerd.standardError = containerd.standardOutput
        containerd.environment = ["PATH": "\(binaries):/usr/sbin:/usr/bin:/sbin:/bin"]
        try containerd.run()
        let ctr = "\(binaries)/ctr"
        let address = ["--address", "\(base)/containerd.sock", "--namespace", "k8s.io"]
        defer {
            _ = try? Program.run(ctr, address + ["task", "kill", "--signal", "SIGKILL", "hwt-pause"], in: "/")
            _ = try? NetworkLab.wait(5) { (try Program.run(ctr, address + ["task", "delete", "hwt-pause"], in: "/")).status != 0 || true }
            _ = try? Program.run(ctr, address + ["container", "delete", "hwt-pause"], in: "/")
            NetworkLab.stop(containerd)
            let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
            for line in mounts.split(separator: "\n").reversed() {
                let fields = line.split(separator: " ")
                if fields.count > 4, fields[4].hasPrefix(base) { _ = try? Program.run("/bin/umount", ["-l", String(fields[4])], in: "/") }
            }
            try? FileManager.default.removeItem(atPath: base)
        }
        #expect(try NetworkLab.wait(20) { (try Program.run(ctr, address + ["version"], in: "/")).status == 0 }, "containerd did not start")
        for archive in ["pause.tar", "busybox.tar"] {
            let imported = try Program.run(ctr, address + ["images", "import", "\(binaries)/images/\(archive)"], in: "/")
            #expect(imported.status == 0, "\(archive): \(imported)")
        }
        let listed = try Program.run(ctr, address + ["images", "ls", "-q"], in: "/")
        #expect(listed.stdout.contains("registry.k8s.io/pause:3.2\n") && listed.stdout.contains("localhost/hardway/busybox:1.35.0\n"), "\(listed)")

        let started = try Program.run(ctr, address + ["run", "-d", "registry.k8s.io/pause:3.2", "hwt-pause"], in: "/", environment: ["PATH": "\(binaries):/usr/sbin:/usr/bin:/sbin:/bin"])
        #expect(started.status == 0, "\(started)")
        var tasks = Run(status: -1, stdout: "", stderr: "")
        #expect(try NetworkLab.wait(10) {
            tasks = try Program.run(ctr, address + ["task", "ls"], in: "/")
            return tasks.stdout.contains("hwt-pause") && tasks.stdout.contains("RUNNING")
        }, "the pause container runs: \(tasks)")
        let busybox = try Program.run(ctr, address + ["run", "--rm", "localhost/hardway/busybox:1.35.0", "hwt-busybox", "sh", "-c",
                                                       "for a in sh httpd wget nc ping nslookup; do command -v $a; done"],
                                      in: "/", environment: ["PATH": "\(binaries):/usr/sbin:/usr/bin:/sbin:/bin"])
        #expect(busybox.status == 0 && busybox.stdout.split(separator: "\n").count == 6, "\(busybox)")
    }

    /// A release neither Debian's source nor a download gives: the error names the download that was
    /// tried and what can be built here (a mirror on a loopback port where nothing listens stands in
    /// for the internet; without it the same error names dl.k8s.io).
    @Test("a Kubernetes release that cannot be built or downloaded is an error naming the URL tried, that nothing was placed, and the buildable version")
    func unobtainableRelease() throws {
        try Self.requireBuild()
        let directory = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lab = try String(contentsOfFile: Scratch.example("lab"), encoding: .utf8)
        try Scratch.write(lab.replacingOccurrences(of: "kubernetesVersion: v1.20.2", with: "kubernetesVersion: v1.31.4"), to: "\(directory)/new.yaml")
        let run = try Program.run(Program.hardway, ["binaries", "build", "-f", "new.yaml", "--dir", "out", "--mirror", "http://127.0.0.1:9"], in: directory)
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("http://127.0.0.1:9/dl.k8s.io/release/v1.31.4/bin/linux/amd64/"), "\(run.stderr)")
        #expect(run.stderr.contains("nothing was placed"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/out/binaries/kube-apiserver"))
    }

    /// What apply ships must be what the file pins: a real binary of another version (Kubernetes',
    /// etcd's, containerd's) is refused before any host is reached, naming the binary, both versions
    /// and the fix.
    @Test("a binary of the wrong version is refused, naming both versions")
    func wrongVersionsAreRefused() throws {
        let (directory, binaries, _) = try Self.filled()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lab = try String(contentsOfFile: Scratch.example("lab"), encoding: .utf8)
        let cases: [(String, String, [String])] = [
            ("kubernetesVersion: v1.20.2", "kubernetesVersion: v1.31.4", ["kube-apiserver", "is v1.20.2", "kubernetesVersion is v1.31.4", "hardway binaries build -f wrong.yaml"]),
            ("etcdVersion: v3.4.23", "etcdVersion: v3.5.17", ["etcd in", "is v3.4.23", "etcdVersion is v3.5.17", "set etcdVersion: v3.4.23"]),
            // The lab's upgrade targets (Debian trixie's), against the directory of Debian 12's.
            ("etcdVersion: v3.4.23", "etcdVersion: v3.5.16", ["etcd in", "is v3.4.23", "etcdVersion is v3.5.16", "set etcdVersion: v3.4.23"]),
            ("etcdVersion: v3.4.23", "etcdVersion: v3.4.23\ncontainerdVersion: v1.7.24",
             ["is 1.6.20~ds1", "containerdVersion is v1.7.24", "set containerdVersion: v1.6.20", "hardway binaries build -f wrong.yaml"]),
        ]
        for (from, to, words) in cases {
            let text = lab.replacingOccurrences(of: from, with: to).replacingOccurrences(of: "name: lab", with: "name: lab\nbinaries: { dir: \(binaries) }")
            try Scratch.write(text, to: "\(directory)/wrong.yaml")
            for step in [["pki", "issue"], ["render"]] {
                let run = try Program.hardway(step + ["-f", "wrong.yaml", "--dir", "wrong"], in: directory)
                try #require(run.status == 0, "\(step): \(run)")
            }
            let plan = try Program.hardway(["plan", "-f", "wrong.yaml", "--dir", "wrong"], in: directory)
            #expect(plan.status == 1, "\(plan)")
            for word in words { #expect(plan.stderr.contains(word), "\(to): \(word) missing from \(plan.stderr)") }
        }
    }
}

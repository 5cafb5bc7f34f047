import Foundation
import Testing
import Binaries
import Render
import TestSupport

/// The version 3 configuration hardway renders for containerd 2.x, read by a real containerd 2.x:
/// Debian unstable's package (its binary runs on Debian 12), fetched with apt through hardway's own
/// apt state into /var/cache/hardway/debs/unstable (once per version), started on the rendered file
/// in a network namespace of its own with its root, state and socket in a scratch directory. The
/// lab's pause archive is imported and runs under Debian 12's runc. Everything started is stopped,
/// unmounted and deleted again, whatever fails.
@Suite("containerd 2 from Debian unstable on the rendered version 3 configuration", .serialized)
struct Containerd2Tests {
    static var cache: String { (ProcessInfo.processInfo.environment["HARDWAY_CACHE"] ?? "/var/cache/hardway") + "/debs/unstable" }

    /// `[table]` → its `key = value` lines (whitespace trimmed), as `containerd config dump` prints them.
    static func table(_ name: String, in text: String) -> [String] {
        var current = "", keys: [String] = []
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) where !line.isEmpty && !line.hasPrefix("#") {
            if line.hasPrefix("[") { current = String(line.dropFirst().dropLast()) } else if current == name { keys.append(line) }
        }
        return keys
    }

    /// The JSON of containerd's "starting cri plugin" log line: the runtime plugin's configuration
    /// as the running plugin holds it.
    static func criPluginConfig(log: String) -> [String: Any]? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("msg=\"starting cri plugin\"") }),
              let start = line.range(of: "config=\"") else { return nil }
        var value = String(line[start.upperBound...])
        if let end = value.range(of: "}\"", options: .backwards) { value = String(value[..<end.lowerBound]) + "}" }
        let json = value.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
        return try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
    }

    @Test("the rendered file means what the version 2 file meant, the CRI plugins load it without a warning, the pause image is pinned and runs under Debian 12's runc",
          .enabled(if: geteuid() == 0, "needs root: it makes a network namespace, and containerd mounts its snapshots; run .ci/run or scripts/test as root"))
    func renderedConfigRunsThePauseImage() throws {
        // containerd 2.x from Debian unstable: downloaded and unpacked once per version, never installed.
        let packages = DebianPackages(cache: Self.cache, suite: DebianPackages.unstable)
        let roots = try packages.roots(["containerd"], progress: { _ in })
        let package = try #require(roots["containerd"])
        let version = DebianPackages.upstreamVersion(package.version)
        try #require(version.hasPrefix("2."), "Debian unstable's containerd is \(package.version), not a 2.x release")
        #expect(package.path.hasPrefix(Self.cache + "/unpacked/containerd_\(package.version)_"), "cached by version: \(package.path)")
        // Read through hardway's own apt state; the box's lists stay those of its own sources.
        let lists = (try? FileManager.default.contentsOfDirectory(atPath: "\(Self.cache)/apt/lists")) ?? []
        #expect(lists.contains { $0.contains("_dists_unstable_") }, "\(lists)")
        #expect(!((try? FileManager.default.contentsOfDirectory(atPath: "/var/lib/apt/lists")) ?? []).contains { $0.contains("_dists_unstable_") })
        let bin = package.file("/usr/bin")
        let containerdVersion = try Program.run("\(bin)/containerd", ["--version"], in: "/")
        #expect(containerdVersion.stdout.contains(" \(version)"), "\(containerdVersion)")
        // runc is Debian 12's, installed on the box; the unstable package brings none of its own.
        let runc = try Program.tool("runc")
        #expect(!FileManager.default.fileExists(atPath: package.file("/usr/sbin/runc")) && !FileManager.default.fileExists(atPath: package.file("/usr/bin/runc")))

        let (directory, binaries, _) = try KubernetesBinariesTests.filled()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pauseImage = try KubernetesRelease.forVersion(KubernetesBinariesTests.version).pauseImage
        let rendered = try ContainerdConfig.rendered(containerdVersion: version, pauseImage: pauseImage)
        try #require(rendered.contains("\nversion = 3\n"), "\(rendered)")

        let base = try TemporaryDirectory.make("hwt-ctd2")
        // Only where this containerd keeps its files and sockets is added, as top-level keys before the rendered tables.
        let local = "root = '\(base)/root'\nstate = '\(base)/state'\n\n[grpc]\n  address = '\(base)/containerd.sock'\n\n[ttrpc]\n  address = '\(base)/containerd.sock.ttrpc'\n"
        try Scratch.write(rendered.replacingOccurrences(of: "\nversion = 3\n", with: "\nversion = 3\n" + local), to: "\(base)/config.toml")
        let version2 = try ContainerdConfig.rendered(containerdVersion: ContainerdConfig.debianBookwormVersion, pauseImage: pauseImage)
        try Scratch.write(version2.replacingOccurrences(of: "\nversion = 2\n", with: "\nversion = 2\n" + local), to: "\(base)/config-v2.toml")

        // containerd's own reading: the version 3 file without a warning, and the same configuration
        // as containerd's migration of the version 2 file hardway writes for 1.x.
        let dump = try Program.run("\(bin)/containerd", ["--config", "\(base)/config.toml", "config", "dump"], in: "/")
        #expect(dump.status == 0 && !dump.stderr.contains("level=warning"), "\(dump.stderr)")
        let migrated = try Program.run("\(bin)/containerd", ["--config", "\(base)/config-v2.toml", "config", "dump"], in: "/")
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(dump.stdout == migrated.stdout, "the version 3 file and the migrated version 2 file differ:\n\(TextDiff.unified(old: migrated.stdout, new: dump.stdout, oldName: "v2 migrated", newName: "v3"))")
        let images = "plugins.'io.containerd.cri.v1.images'", runtime = "plugins.'io.containerd.cri.v1.runtime'"
        let pinned: [String] = Self.table("\(images).pinned_images", in: dump.stdout)
        #expect(pinned == ["sandbox = '\(pauseImage)'"], "\(dump.stdout)")
        #expect(Self.table(images, in: dump.stdout).contains("snapshotter = 'overlayfs'"))
        #expect(Self.table(runtime, in: dump.stdout).contains("restrict_oom_score_adj = true"))
        #expect(Self.table("\(runtime).containerd", in: dump.stdout).contains("default_runtime_name = 'runc'"))
        #expect(Self.table("\(runtime).containerd.runtimes.runc.options", in: dump.stdout).contains("SystemdCgroup = true"))
        #expect(Self.table("\(runtime).cni", in: dump.stdout).contains("conf_dir = '/etc/cni/net.d'"))
        #expect(Self.table("\(runtime).cni", in: dump.stdout).contains(where: { $0.hasPrefix("bin_dir") && $0.contains("'/opt/cni/bin'") }))

        // The real start, in a network namespace of its own (nsenter joins only the network: runc
        // needs the box's cgroup mounts, which `ip netns exec` would hide behind a fresh /sys).
        let namespace = "hwt-ctd2-\(getpid() % 100_000)"
        try NetworkLab.ip(["netns", "add", namespace])
        let ctr = "\(bin)/ctr"
        let address = ["--address", "\(base)/containerd.sock", "--namespace", "k8s.io"]
        let path = ["PATH": "\(bin):/usr/sbin:/usr/bin:/sbin:/bin"]
        let containerd = Process()
        defer { Self.stopEverything(containerd, ctr: ctr, address: address, base: base, namespace: namespace) }
        try NetworkLab.ip(["-n", namespace, "link", "set", "lo", "up"])
        containerd.executableURL = URL(fileURLWithPath: try Program.tool("nsenter"))
        containerd.arguments = ["--net=/run/netns/\(namespace)", "\(bin)/containerd", "--config", "\(base)/config.toml"]
        FileManager.default.createFile(atPath: "\(base)/containerd.log", contents: nil)
        containerd.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(base)/containerd.log"))
        containerd.standardError = containerd.standardOutput
        containerd.environment = path
        try containerd.run()
        let log = { (try? String(contentsOfFile: "\(base)/containerd.log", encoding: .utf8)) ?? "" }
        try #require(try NetworkLab.wait(20) { (try Program.run(ctr, address + ["version"], in: "/")).status == 0 }, "containerd did not start:\n\(log())")
        let network = { (pid: String) in try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net") }
        #expect(try network("\(containerd.processIdentifier)") != network("self"), "containerd runs in a network namespace of its own")

        // The CRI plugins loaded, and the running runtime plugin holds the rendered settings.
        let plugins = try Program.run(ctr, address + ["plugins", "ls"], in: "/")
        for (type, id) in [("io.containerd.cri.v1", "runtime"), ("io.containerd.cri.v1", "images"), ("io.containerd.grpc.v1", "cri")] {
            let row = plugins.stdout.split(separator: "\n").first { Array($0.split(separator: " ").prefix(2)) == [Substring(type), Substring(id)] }
            #expect(row?.split(separator: " ").contains("ok") == true, "\(type) \(id): \(String(describing: row))\n\(log())")
        }
        let cri = try #require(Self.criPluginConfig(log: log()), "no \"starting cri plugin\" line in\n\(log())")
        let restrictOOMScoreAdj = cri["restrictOOMScoreAdj"] as? Bool
        let runtimeConfig = cri["containerd"] as? [String: Any] ?? [:]
        let runcRuntime = (runtimeConfig["runtimes"] as? [String: Any])?["runc"] as? [String: Any] ?? [:]
        let defaultRuntime = runtimeConfig["defaultRuntimeName"] as? String
        let runtimeType = runcRuntime["runtimeType"] as? String
        let systemdCgroup = (runcRuntime["options"] as? [String: Any])?["SystemdCgroup"] as? Bool
        let cni = cri["cni"] as? [String: Any] ?? [:]
        let confDir = cni["confDir"] as? String
        let binDirs: [String] = (cni["binDirs"] as? [String]) ?? [cni["binDir"] as? String ?? ""]
        #expect(restrictOOMScoreAdj == true)
        #expect(defaultRuntime == "runc")
        #expect(runtimeType == "io.containerd.runc.v2")
        #expect(systemdCgroup == true, "\(runcRuntime)")
        #expect(confDir == "/etc/cni/net.d")
        #expect(binDirs == ["/opt/cni/bin"], "\(cni)")
        // Nothing ignored, deprecated or migrated: only the CNI directory being empty on this box is reported.
        let complaints = log().split(separator: "\n").filter { ($0.contains("level=warning") || $0.contains("level=error")) && !$0.contains("no network config found in /etc/cni/net.d") }
        #expect(complaints.isEmpty, "\(complaints.joined(separator: "\n"))")
        let deprecations = try Program.run(ctr, address + ["deprecations", "list"], in: "/")
        let deprecated = deprecations.stdout.trimmingCharacters(in: CharacterSet.whitespacesAndNewlines)
        #expect(deprecations.status == 0 && deprecated.isEmpty, "\(deprecations)")

        // The lab's archives: the pause image is the sandbox image the CRI pins, the workload is not.
        for archive in ["pause.tar", "busybox.tar"] {
            let imported = try Program.run(ctr, address + ["images", "import", "\(binaries)/images/\(archive)"], in: "/")
            #expect(imported.status == 0, "\(archive): \(imported)")
        }
        let listed = try Program.run(ctr, address + ["images", "ls"], in: "/").stdout.split(separator: "\n")
        let pauseRow = listed.first { $0.hasPrefix(pauseImage + " ") }, busyboxRow = listed.first { $0.hasPrefix("localhost/hardway/busybox:") }
        #expect(pauseRow?.contains("io.cri-containerd.pinned=pinned") == true, "\(listed)")
        let busyboxImage = try #require(busyboxRow.map { String($0.split(separator: " ")[0]) }, "\(listed)")
        #expect(busyboxRow?.contains("pinned") == false, "\(listed)")

        // Containers under Debian 12's runc: the pause program keeps running; busybox runs to its end.
        let started = try Program.run(ctr, address + ["run", "-d", "--runc-binary", runc, pauseImage, "hwt-pause"], in: "/", environment: path)
        #expect(started.status == 0, "\(started)\n\(log())")
        var tasks = Run(status: -1, stdout: "", stderr: "")
        #expect(try NetworkLab.wait(10) {
            tasks = try Program.run(ctr, address + ["task", "ls"], in: "/")
            return tasks.stdout.contains("hwt-pause") && tasks.stdout.contains("RUNNING")
        }, "the pause container runs: \(tasks)")
        let pid = tasks.stdout.split(separator: "\n").first { $0.hasPrefix("hwt-pause") }?.split(separator: " ").dropFirst().first.flatMap { Int32($0) }
        let command = try pid.map { try String(contentsOfFile: "/proc/\($0)/cmdline", encoding: .utf8) }
        #expect(command == "/pause\0", "the task runs the image's /pause: \(String(describing: command))")
        let busybox = try Program.run(ctr, address + ["run", "--rm", "--runc-binary", runc, busyboxImage, "hwt-busybox", "sh", "-c", "echo ran in $(hostname)"],
                                      in: "/", environment: path)
        #expect(busybox.status == 0 && busybox.stdout.hasPrefix("ran in "), "\(busybox)")
    }

    /// Kills and deletes the test's tasks and containers, stops containerd, kills whatever still runs
    /// from `base` (shims), unmounts what is mounted below it and deletes the namespace.
    static func stopEverything(_ containerd: Process, ctr: String, address: [String], base: String, namespace: String) {
        if containerd.isRunning {
            for name in ["hwt-pause", "hwt-busybox"] {
                _ = try? Program.run(ctr, address + ["task", "kill", "--signal", "SIGKILL", name], in: "/")
                _ = NetworkLab.wait(5) { ((try? Program.run(ctr, address + ["task", "delete", name], in: "/"))?.stderr ?? "").contains("not found") }
                _ = try? Program.run(ctr, address + ["container", "delete", name], in: "/")
            }
            NetworkLab.stop(containerd)
        }
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        for pid in pids where ((try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? "").contains(base) { kill(pid, SIGKILL) }
        let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        for line in mounts.split(separator: "\n").reversed() {
            let fields = line.split(separator: " ")
            if fields.count > 4, fields[4].hasPrefix(base) { _ = try? Program.run("/bin/umount", ["-l", String(fields[4])], in: "/") }
        }
        _ = try? Program.run("/usr/sbin/ip", ["netns", "del", namespace], in: "/")
        try? FileManager.default.removeItem(atPath: base)
    }
}

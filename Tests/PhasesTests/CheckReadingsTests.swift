import Foundation
import Testing
import ClusterModel
import Phases
import Binaries
import Shell
import TestSupport

@Suite("check's versions: what the running processes say, beside the file's")
struct RunningVersionsTests {
    /// What `/proc/PID/exe --version` printed on a controller and a worker of v1.20.2 with Debian's etcd and containerd.
    static let controller = """
    == etcd
    etcd Version: 3.4.23
    Git SHA: Not provided (use ./build instead of go build)
    Go Version: go1.19.8
    == kube-apiserver
    Kubernetes v1.20.2
    == kube-controller-manager
    Kubernetes v1.20.2
    == kube-scheduler
    not running
    """
    static let worker = """
    == containerd
    containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+b1
    == kubelet
    Kubernetes v1.20.1
    == kube-proxy
    Kubernetes v1.20.2
    """

    @Test("each program's own words give its version; a stopped unit gives none")
    func parsing() {
        #expect(RunningVersions.parse(Self.controller) == ["etcd": "v3.4.23", "kube-apiserver": "v1.20.2", "kube-controller-manager": "v1.20.2"])
        #expect(RunningVersions.parse(Self.worker) == ["containerd": "v1.6.20~ds1", "kubelet": "v1.20.1", "kube-proxy": "v1.20.2"])
        #expect(RunningVersions.script(units: ["etcd"]).contains("/proc/$pid/exe --version"))
    }

    @Test("a unit between two runs (auto-restart) is waited for and then read; a stopped one is not waited for")
    func unitBetweenRunsIsWaitedFor() throws {
        let directory = try TemporaryDirectory.make("hardway-versions")
        // A stand-in program whose process the script reads (`sleep --version` names coreutils).
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["60"]
        try Launch.locked { try sleeper.run() }
        defer { sleeper.terminate() }
        // A stand-in systemctl: `restarting` is down (MainPID 0, activating) for its first 3
        // MainPID readings, then runs; `stopped` is inactive.
        let systemctl = """
        #!/bin/sh
        unit="$5"; property="$3"
        count="\(directory)/$unit.count"; n=$(cat "$count" 2>/dev/null || echo 0)
        case "$unit:$property" in
          restarting:MainPID) echo $((n+1)) > "$count"; if [ "$n" -lt 3 ]; then echo 0; else echo \(sleeper.processIdentifier); fi ;;
          restarting:ActiveState) if [ "$n" -le 3 ]; then echo activating; else echo active; fi ;;
          stopped:MainPID) echo 0 ;;
          stopped:ActiveState) echo inactive ;;
        esac
        """
        try systemctl.write(toFile: "\(directory)/systemctl", atomically: true, encoding: .utf8)
        chmod("\(directory)/systemctl", 0o755)
        let started = Date()
        let result = try Exec.run("/bin/sh", ["-c", "PATH=\(directory):$PATH; " + RunningVersions.script(units: ["restarting", "stopped"])])
        let output = result.stdout
        #expect(output.contains("== restarting\nsleep (GNU coreutils)"), "read once it ran: \(output)")
        #expect(output.hasSuffix("== stopped\nnot running\n"), "\(output)")
        #expect(Date().timeIntervalSince(started) >= 1 && Date().timeIntervalSince(started) < 9, "waited for the restart, not for the stopped unit")
    }

    @Test("a row per component: ok when every host runs the file's version; else which host runs what, and the fix")
    func rows() throws {
        let text = Fixture.base.replacingOccurrences(of: "name: test", with: "name: test\nkubernetesVersion: v1.20.2\netcdVersion: v3.4.23")
        let cluster = try #require(ClusterResolver.resolve(text: text).cluster)
        var running: [String: [String: String]] = [:]
        for machine in cluster.hosts {
            if machine.has(.controller) { running[machine.name] = RunningVersions.parse(Self.controller) }
            if machine.has(.worker) { running[machine.name] = RunningVersions.parse(Self.worker) }
        }
        running["master-1"]?["kube-scheduler"] = "v1.20.2"
        let rows = RunningVersions.rows(cluster: cluster, running: running)
        func row(_ unit: String) throws -> CheckRow { try #require(rows.first { $0.subject == unit }, "\(unit): \(rows)") }
        #expect(try row("etcd").state == .ok && row("etcd").detail.hasPrefix("v3.4.23 on all 3 hosts (the file's v3.4.23)"))
        #expect(try row("kube-apiserver").state == .ok)
        // containerd is pinned (the release's pairing, v1.6.20 for 1.20); Debian's `v1.6.20~ds1` is that release.
        let containerd = try row("containerd")
        #expect(containerd.state == .ok && containerd.detail.contains("v1.6.20~ds1 on all 2 hosts (the file's v1.6.20)"), "\(containerd)")
        let kubelet = try row("kubelet")
        #expect(kubelet.state == .failed && kubelet.detail.contains("worker-0 runs v1.20.1") && kubelet.detail.contains("the file says v1.20.2"), "\(kubelet)")
        let scheduler = try row("kube-scheduler")
        #expect(scheduler.state == .failed && scheduler.detail.contains("master-0, master-2 run none"), "\(scheduler)")
        #expect(rows.allSatisfy { $0.area == "versions" })
    }
}

@Suite("check's certificates row")
struct CertificateExpiryTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("ok with a month to spare; a warning, with the renewing commands, from 30 days before; failed once expired")
    func stages() {
        let ok = CertificateExpiry.row(count: 20, first: "admin", notAfter: now.addingTimeInterval(40 * 86_400), isCA: false, now: now, clusterFile: "lab.yaml")
        #expect(ok.state == .ok && ok.detail.hasPrefix("first to expire: admin on ") && ok.detail.hasSuffix("(40 days)"))
        let soon = CertificateExpiry.row(count: 20, first: "kube-apiserver", notAfter: now.addingTimeInterval(29.5 * 86_400), isCA: false, now: now, clusterFile: "lab.yaml")
        #expect(soon.state == .warning, "\(soon)")
        #expect(soon.detail.contains("in 29 days") && soon.detail.contains("`hardway pki issue -f lab.yaml --renew kube-apiserver`")
                && soon.detail.contains("`hardway apply -f lab.yaml`"), "\(soon.detail)")
        let gone = CertificateExpiry.row(count: 20, first: "admin", notAfter: now.addingTimeInterval(-60), isCA: false, now: now, clusterFile: "lab.yaml")
        #expect(gone.state == .failed && gone.detail.contains("expired on"))
        let ca = CertificateExpiry.row(count: 20, first: "ca", notAfter: now.addingTimeInterval(86_400), isCA: true, now: now, clusterFile: "lab.yaml")
        #expect(ca.state == .warning && ca.detail.contains("--new-ca"))
    }
}

@Suite("check names a stale etcd member")
struct StaleMemberTests {
    @Test("members etcd lists that the file does not, by name or, unstarted, by id")
    func stale() {
        let list = """
        8e9e05c52164694d, started, master-0, https://10.240.0.10:2380, https://10.240.0.10:2379, false
        91bc3c398fb3c146, started, master-1, https://10.240.0.11:2380, https://10.240.0.11:2379, false
        fd422379fda50e48, started, master-9, https://10.240.0.19:2380, https://10.240.0.19:2379, false
        2e80f96756a54ca9, unstarted, , https://10.240.0.13:2380, , false
        {"level":"warn","msg":"noise"}
        """
        let stale = Checker.staleMembers(list, known: ["master-0", "master-1"])
        #expect(stale.map(\.id) == ["fd422379fda50e48", "2e80f96756a54ca9"])
        #expect(stale.first?.name == "master-9" && stale.first?.peerURLs == ["https://10.240.0.19:2380"])
        #expect(Checker.staleMembers(list, known: ["master-0", "master-1", "master-9", ""]).isEmpty)
    }
}

import Foundation
import Testing
import Lab
import Shell

/// `apply`, `plan` and `check` on real lab machines: HAProxy, 3 controllers with stacked etcd, 2
/// workers, reached over OpenSSH. The phases up to the load balancer run for real (Kubernetes' own
/// server binaries do not exist on this box); the fault drills stop real etcd members and real TLS
/// endpoints.
@Suite("apply on lab machines", .serialized)
struct ApplyLabTests {
    typealias TestLab = LabMachineTests.TestLab

    static func rows(_ run: Run) throws -> [[String: Any]] {
        try #require(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], "\(run)")
    }

    static func row(_ rows: [[String: Any]], _ area: String, _ subject: String) -> [String: Any]? {
        rows.first { $0["area"] as? String == area && $0["subject"] as? String == subject }
    }

    static func totals(_ run: Run) throws -> (writes: Int, restarts: [String]) {
        let report = try #require(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run)")
        let hosts = (report["phases"] as? [[String: Any]] ?? []).flatMap { $0["hosts"] as? [[String: Any]] ?? [] }
        let writes = hosts.reduce(0) { $0 + ($1["written"] as? [String] ?? []).count + ($1["installed"] as? [String] ?? []).count }
        let restarts = hosts.flatMap { step in (step["restarted"] as? [String] ?? []).map { "\(step["host"] as? String ?? "?")/\($0)" } }
        return (writes, restarts)
    }

    @Test("lab → pki → render → apply --until loadbalancer → check passes; no-op re-apply; one changed file restarts one unit; etcd and load-balancer drills")
    func endToEnd() throws {
        try LabMachineTests.requireRootImage()
        let lab = try TestLab(hosts: [("lb-0", 5), ("master-0", 10), ("master-1", 11), ("master-2", 12), ("worker-0", 20), ("worker-1", 21)])
        defer { lab.cleanUp() }
        for step in [["lab", "up"], ["pki", "issue"], ["render"]] {
            let run = try lab.hardway(step)
            try #require(run.status == 0, "\(step): \(run)")
        }

        // plan before anything: every node file would be written, etcd binaries installed.
        let plan = try lab.hardway(["plan", "--until", "loadbalancer", "--output", "json"])
        #expect(plan.status == 0, "\(plan)")
        #expect(try Self.totals(plan).writes > 100)

        let apply = try lab.hardway(["apply", "--until", "loadbalancer", "--output", "json"])
        try #require(apply.status == 0, "\(apply)")
        let applied = try Self.totals(apply)
        #expect(applied.writes > 100)
        #expect(Set(applied.restarts).isSuperset(of: ["master-0/etcd", "master-1/etcd", "master-2/etcd", "lb-0/haproxy", "worker-1/hardway-pod-routes"]))
        #expect(apply.stderr.contains("3/3 members healthy over mutual TLS"))

        // The files on the machines are the rendered ones, and pod routes are in place.
        let routes = try lab.ssh("master-0", "ip route")
        #expect(routes.stdout.contains("10.200.0.0/24 via \(lab.address(20))"), "\(routes)")
        #expect(routes.stdout.contains("10.200.1.0/24 via \(lab.address(21))"), "\(routes)")

        let check = try lab.hardway(["check", "--output", "json"])
        #expect(check.status == 0, "\(check)")
        let rows = try Self.rows(check)
        for member in ["master-0", "master-1", "master-2"] {
            #expect(Self.row(rows, "etcd", member)?["state"] as? String == "ok", "\(member): \(rows)")
        }
        #expect((Self.row(rows, "etcd", "quorum")?["detail"] as? String)?.hasPrefix("3/3 healthy") == true)
        #expect(Self.row(rows, "load balancer", "lb-0")?["state"] as? String == "ok")
        for worker in ["worker-0", "worker-1"] {
            #expect(Self.row(rows, "pod network", worker)?["state"] as? String == "ok", "\(worker): \(rows)")
        }
        #expect(Self.row(rows, "control-plane", "-")?["state"] as? String == "not applied")
        #expect(Self.row(rows, "workers", "-")?["state"] as? String == "not applied")
        #expect((rows.first { $0["area"] as? String == "certificates" }?["detail"] as? String)?.contains("first to expire") == true)

        // Nothing changed: nothing written, nothing restarted, and it says so.
        let again = try lab.hardway(["apply", "--until", "loadbalancer"])
        #expect(again.status == 0, "\(again)")
        #expect(again.stdout.contains("nothing changed: no file written, no unit restarted"), "\(again)")

        // One file changed on the load balancer: only that file is written, only haproxy restarts.
        let tamper = try lab.ssh("lb-0", "echo '# edited by hand' >> /etc/haproxy/haproxy.cfg")
        #expect(tamper.status == 0)
        let repair = try lab.hardway(["apply", "--until", "loadbalancer", "--output", "json"])
        #expect(repair.status == 0, "\(repair)")
        let repaired = try Self.totals(repair)
        #expect(repaired.writes == 1)
        #expect(repaired.restarts == ["lb-0/haproxy"])

        // An apply that stops after writing a file but before its unit's phase owes that restart:
        // the next run makes it, though no file differs any more.
        #expect(try lab.ssh("lb-0", "echo '# edited again' >> /etc/haproxy/haproxy.cfg").status == 0)
        let partial = try Self.totals(try lab.hardway(["apply", "--until", "etcd", "--output", "json"]))
        #expect(partial.writes == 1 && partial.restarts.isEmpty, "\(partial)")
        let owed = try String(contentsOfFile: "\(lab.dir)/applied.json", encoding: .utf8)
        #expect(owed.contains("pendingRestarts") && owed.contains("haproxy"), "\(owed)")
        let finished = try Self.totals(try lab.hardway(["apply", "--until", "loadbalancer", "--output", "json"]))
        #expect(finished.writes == 0 && finished.restarts == ["lb-0/haproxy"], "\(finished)")
        // Still owed: only the units of phases not run yet (the control plane's, the workers').
        let after = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(lab.dir)/applied.json"))) as? [String: Any])
        let pending = (after["pendingRestarts"] as? [String: [String]] ?? [:]).values.flatMap { $0 }
        #expect(!pending.contains("haproxy") && !pending.contains("etcd") && pending.contains("kube-apiserver"), "\(after)")

        // A file and a running unit an earlier apply put on lb-0 that are no longer rendered for it:
        // plan lists them, apply stops the unit and removes both.
        let staleUnit = "[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n"
        let planted = try lab.ssh("lb-0", "printf '\(staleUnit)' > /etc/systemd/system/hardway-stale.service && echo old > /etc/hardway-stale.conf && systemctl daemon-reload && systemctl enable --now --quiet hardway-stale")
        #expect(planted.status == 0, "\(planted)")
        let recordURL = URL(fileURLWithPath: "\(lab.dir)/applied.json")
        var record = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: recordURL)) as? [String: Any])
        var files = try #require(record["files"] as? [String: [String]], "apply records the files it put on each host")
        files["lb-0", default: []] += ["/etc/hardway-stale.conf", "/etc/systemd/system/hardway-stale.service"]
        record["files"] = files
        try JSONSerialization.data(withJSONObject: record).write(to: recordURL)
        let stalePlan = try lab.hardway(["plan", "--until", "loadbalancer"])
        #expect(stalePlan.stdout.contains("remove /etc/hardway-stale.conf"), "\(stalePlan)")
        let cleaned = try lab.hardway(["apply", "--until", "loadbalancer", "--output", "json"])
        #expect(cleaned.status == 0, "\(cleaned)")
        let gone = try lab.ssh("lb-0", "systemctl is-active hardway-stale; ls /etc/hardway-stale.conf /etc/systemd/system/hardway-stale.service 2>&1 | grep -c 'No such'")
        #expect(gone.stdout.hasSuffix("2\n") && !gone.stdout.hasPrefix("active"), "\(gone)")

        // Pod routes gone on worker-0: the pod-network check fails there; apply restarts just that unit.
        #expect(try lab.ssh("worker-0", "systemctl stop hardway-pod-routes").status == 0)
        let cut = try lab.hardway(["check"])
        #expect(cut.status == 1)
        #expect(cut.stderr.contains("pod network worker-0"), "\(cut)")
        let mended = try Self.totals(try lab.hardway(["apply", "--until", "loadbalancer", "--output", "json"]))
        #expect(mended.writes == 0 && mended.restarts == ["worker-0/hardway-pod-routes"])
        #expect(try lab.ssh("worker-0", "ip netns list").stdout.isEmpty, "the check's namespace is removed")

        try cutLinkMidUpload(lab)
        try etcdDrill(lab)
        try loadBalancerDrill(lab)

        let down = try lab.hardway(["lab", "down"])
        #expect(down.status == 0, "\(down)")
        #expect(try lab.traces() == [])
        #expect(!FileManager.default.fileExists(atPath: "\(lab.dir)/applied.json"), "new machines start with nothing applied")
        for (host, last) in lab.hosts {
            let socket = SSHControl.socket(user: "root", address: lab.address(last), port: 22)
            #expect(!FileManager.default.fileExists(atPath: socket), "the ssh connection to \(host) is still open after lab down")
            let master = try Program.run(try Program.tool("ssh"), ["-o", "ControlPath=\(socket)", "-O", "check", "root@\(lab.address(last))"], in: "/")
            #expect(master.status != 0, "the ssh connection to \(host) is still open after lab down")
        }
    }

    /// One machine's link cut while its files go: one error line naming it, the other hosts finish,
    /// no truncated file at a final path, and the next apply makes the restarts the cut run owed.
    func cutLinkMidUpload(_ lab: TestLab) throws {
        // worker-1's pod routes unit changed (distribute writes it), and master-2's etcd binary (the
        // binaries phase sends all 20 MB of it, more than ssh and the pipes buffer).
        let routes = "/etc/systemd/system/hardway-pod-routes.service", etcd = "/usr/local/bin/etcd"
        #expect(try lab.ssh("worker-1", "echo '# edited by hand' >> \(routes)").status == 0)
        #expect(try lab.ssh("master-2", "cp \(etcd) /tmp/etcd && echo '# edited' >> /tmp/etcd && mv /tmp/etcd \(etcd)").status == 0)
        let before = try lab.ssh("master-2", "sha256sum < \(etcd)").stdout
        // master-2's tar starts reading 5 s late (one ahead of Debian's on root's PATH), so the
        // upload is surely under way, stalled on full buffers, when the ssh carrying it is killed.
        #expect(try lab.ssh("master-2", "printf '#!/bin/sh\\nsleep 5\\nexec /usr/bin/tar \"$@\"\\n' > /usr/local/bin/tar && chmod 755 /usr/local/bin/tar").status == 0)
        defer { _ = try? lab.ssh("master-2", "rm -f /usr/local/bin/tar") }
        let socket = SSHControl.socket(user: "root", address: lab.address(12), port: 22)
        let cutter = LinkCutter(pattern: "tar -x -p -f - -C /", alsoHolding: "ControlPath=\(socket)")
        cutter.start()
        let cut = try lab.hardway(["apply", "--until", "loadbalancer"])
        cutter.stop()
        #expect(cutter.killed > 0, "the upload to master-2 was never seen")
        #expect(cut.status == 1, "\(cut)")
        let errors = cut.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        #expect(errors.count == 1 && errors[0].contains("master-2: writing 1 file") && errors[0].contains("the link broke"), "\(cut.stderr)")
        #expect(try lab.ssh("worker-1", "grep -c 'edited by hand' \(routes)").stdout.hasPrefix("0"), "worker-1 got its file")
        Poll.sleep(seconds: 6)
        let left = try lab.ssh("master-2", "ls -a /usr/local/bin | grep -c hardway-; sha256sum < \(etcd)")
        #expect(left.stdout.hasPrefix("0\n") && left.stdout.hasSuffix(before), "no temporary file, and the whole old binary at its path: \(left)")
        let owed = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(lab.dir)/applied.json"))) as? [String: Any])
        let pending = owed["pendingRestarts"] as? [String: [String]] ?? [:]
        #expect(pending["master-2"]?.contains("etcd") == true && pending["worker-1"]?.contains("hardway-pod-routes") == true, "\(pending)")
        // The next apply sends the binary and makes both restarts.
        _ = try? lab.ssh("master-2", "rm -f /usr/local/bin/tar")
        let mended = try Self.totals(try lab.hardway(["apply", "--until", "loadbalancer", "--output", "json"]))
        #expect(mended.writes == 1 && Set(mended.restarts).isSuperset(of: ["master-2/etcd", "worker-1/hardway-pod-routes"]), "\(mended)")
    }

    @Test("without Kubernetes' binaries apply goes as far as it can and stops at the control plane, naming them and binaries build")
    func stopsWhereBinariesAreMissing() throws {
        try LabMachineTests.requireRootImage()
        let lab = try TestLab()
        defer { lab.cleanUp() }
        for step in [["lab", "up"], ["pki", "issue"], ["render"]] {
            let run = try lab.hardway(step)
            try #require(run.status == 0, "\(step): \(run)")
        }
        let full = try lab.hardway(["apply"])
        #expect(full.status == 1)
        #expect(full.stderr.contains("control-plane needs kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, not in"), "\(full.stderr)")
        #expect(full.stderr.contains("hardway binaries build -f \(lab.file)"), "\(full.stderr)")
        let check = try lab.hardway(["check", "--output", "json"])
        #expect(check.status == 0, "the phases before still pass: \(check)")
        #expect(Self.row(try Self.rows(check), "control-plane", "-")?["state"] as? String == "not applied")
    }

    @Test("a non-root ssh user (sudo) through a bastion, nginx as the load balancer: apply reaches machines the box cannot reach directly")
    func bastionAndSudo() throws {
        try LabMachineTests.requireRootImage()
        let lab = try TestLab(user: "debian", bastion: 5, loadBalancer: "nginx")
        defer { lab.cleanUp() }
        for step in [["lab", "up"], ["pki", "issue"], ["render"]] {
            let run = try lab.hardway(step)
            try #require(run.status == 0, "\(step): \(run)")
        }
        // The lab made the user with sudo; now only lb-0 may reach master-0 and worker-0 on port 22.
        for host in ["master-0", "worker-0"] {
            let block = try lab.ssh(host, "sudo -n iptables -I INPUT -p tcp --dport 22 -s \(lab.address(1)) -j DROP")
            #expect(block.status == 0, "\(host): \(block)")
            let direct = try lab.ssh(host, "true", extra: ["-o", "ConnectTimeout=3"])
            #expect(direct.status != 0, "\(host) is still reachable directly")
        }
        let apply = try lab.hardway(["apply", "--until", "loadbalancer"])
        #expect(apply.status == 0, "\(apply)")
        #expect(apply.stderr.contains("etcd: 1/1 members healthy over mutual TLS"), "\(apply.stderr)")
        let check = try lab.hardway(["check"])
        #expect(check.status == 0, "\(check)")
        #expect(check.stdout.contains("nginx listening on \(lab.address(5)):6443"), "\(check)")
        let owner = try lab.ssh("lb-0", "stat -c %U /etc/nginx/nginx.conf")
        #expect(owner.stdout == "root\n", "files land as root through sudo: \(owner)")
    }

    /// etcd on master-1 stopped: check fails and names it, the other two still take writes; started
    /// again: 3/3.
    func etcdDrill(_ lab: TestLab) throws {
        #expect(try lab.ssh("master-1", "systemctl stop etcd").status == 0)
        let degraded = try lab.hardway(["check", "--output", "json"])
        #expect(degraded.status == 1)
        #expect(degraded.stderr.contains("etcd master-1"), "\(degraded.stderr)")
        let rows = try Self.rows(degraded)
        #expect(Self.row(rows, "etcd", "master-1")?["state"] as? String == "failed")
        #expect((Self.row(rows, "etcd", "quorum")?["detail"] as? String)?.hasPrefix("2/3 healthy") == true)
        let tls = "--cacert=/etc/etcd/ca.pem --cert=/etc/etcd/peer.pem --key=/etc/etcd/peer-key.pem"
        let others = "https://\(lab.address(10)):2379,https://\(lab.address(12)):2379"
        let write = try lab.ssh("master-0", "ETCDCTL_API=3 etcdctl --endpoints=\(others) \(tls) put drill still-writable")
        #expect(write.status == 0 && write.stdout.contains("OK"), "\(write)")
        #expect(try lab.ssh("master-1", "systemctl start etcd").status == 0)
        let healed = NetworkLab.wait(30, every: 0.5) { (try? lab.hardway(["check"]))?.status == 0 }
        #expect(healed, "check did not return to 3/3 healthy")
        let read = try lab.ssh("master-1", "ETCDCTL_API=3 etcdctl --endpoints=https://\(lab.address(11)):2379 \(tls) get drill --print-value-only")
        #expect(read.stdout == "still-writable\n", "the returning member caught up: \(read)")
    }

    /// The test (never the product) puts a TLS endpoint with the issued kube-apiserver certificate on
    /// each controller's 6443, asking for client certificates and checking any that is sent (HAProxy's
    /// /readyz check sends none, as it sends none to a real API server); the admin certificate reaches them
    /// through the endpoint with hostname verification; one stops and requests keep succeeding, and
    /// check shows that backend down.
    func loadBalancerDrill(_ lab: TestLab) throws {
        let server = "openssl s_server -quiet -accept 6443 -www -cert /var/lib/kubernetes/kube-apiserver.pem " +
            "-key /var/lib/kubernetes/kube-apiserver-key.pem -CAfile /var/lib/kubernetes/ca.pem -verify 1"
        for controller in ["master-0", "master-1", "master-2"] {
            let started = try lab.ssh(controller, "systemd-run --quiet --unit=drill-apiserver \(server)")
            #expect(started.status == 0, "\(controller): \(started)")
        }
        let pki = "\(lab.dir)/pki"
        let curl = try Program.tool("curl")
        func request() throws -> Run {
            try Program.run(curl, ["-sS", "--max-time", "5", "--cacert", "\(pki)/ca.pem", "--cert", "\(pki)/admin.pem", "--key", "\(pki)/admin-key.pem",
                                   "https://\(lab.address(5)):6443/"], in: lab.directory)
        }
        func backends() throws -> [String: String] {
            let rows = try Self.rows(try lab.hardway(["check", "--output", "json"]))
            var states: [String: String] = [:]
            for name in ["master-0", "master-1", "master-2"] {
                states[name] = (Self.row(rows, "load balancer", "backend \(name)")?["detail"] as? String).map { $0.hasPrefix("up") ? "up" : "down" }
            }
            return states
        }
        #expect(NetworkLab.wait(20, every: 0.5) { (try? backends()) == ["master-0": "up", "master-1": "up", "master-2": "up"] },
                "HAProxy never saw the three TLS endpoints up")
        let first = try request()
        #expect(first.status == 0 && first.stdout.contains("s_server"), "\(first)")
        // A name the certificate does not carry is refused: the check is real.
        let wrongName = try Program.run(curl, ["-sS", "--max-time", "5", "--cacert", "\(pki)/ca.pem", "--cert", "\(pki)/admin.pem", "--key", "\(pki)/admin-key.pem",
                                               "--resolve", "not-the-api:6443:\(lab.address(5))", "https://not-the-api:6443/"], in: lab.directory)
        #expect(wrongName.status != 0)

        #expect(try lab.ssh("master-1", "systemctl stop drill-apiserver").status == 0)
        for attempt in 0..<9 {
            let run = try request()
            #expect(run.status == 0, "request \(attempt) with master-1 stopped: \(run)")
        }
        #expect(NetworkLab.wait(20, every: 0.5) { (try? backends())?["master-1"] == "down" }, "check never showed master-1 down")
        #expect(try backends()["master-0"] == "up")
        for controller in ["master-0", "master-2"] { _ = try lab.ssh(controller, "systemctl stop drill-apiserver") }
    }
}

/// Kills, from another thread, every process whose command line matches `pattern` (pgrep -f, one
/// line of it) and holds `alsoHolding` as soon as it appears, until stopped: a link cut at a chosen
/// moment.
final class LinkCutter: @unchecked Sendable {
    let pattern: String
    let alsoHolding: String
    private let lock = NSLock()
    private var running = true
    private var count = 0
    private let done = DispatchSemaphore(value: 0)

    init(pattern: String, alsoHolding: String) {
        self.pattern = pattern
        self.alsoHolding = alsoHolding
    }

    var killed: Int { lock.withLock { count } }

    func start() {
        Thread.detachNewThread { [self] in
            while lock.withLock({ running }) {
                let found = (try? Exec.run("pgrep", ["-f", "--", pattern]))?.stdout.split(separator: "\n").compactMap { Int32($0) } ?? []
                for pid in found {
                    let arguments = (FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")).map { String(decoding: $0, as: UTF8.self) } ?? ""
                    if arguments.contains(alsoHolding), kill(pid, SIGKILL) == 0 { lock.withLock { count += 1 } }
                }
                Poll.sleep(seconds: 0.005)
            }
            done.signal()
        }
    }

    func stop() {
        lock.withLock { running = false }
        done.wait()
    }
}

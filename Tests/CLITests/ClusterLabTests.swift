import Foundation
import Testing

/// The whole cluster on lab machines with the real v1.20.2 programs built from Debian's source:
/// `hardway up` from nothing to a smoke-tested cluster, `check`, the drills, a no-op re-apply, in
/// the tutorials' three topologies. Each test makes its own machines on a subnet of its own and
/// removes them, whatever happens.
@Suite("the whole cluster on lab machines", .serialized)
struct ClusterLabTests {
    typealias TestLab = LabMachineTests.TestLab

    static func rows(_ run: Run) throws -> [[String: Any]] {
        try #require(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], "\(run)")
    }

    /// `up`, then `check -o json`: every row ok, DNS shown as not deployed (never as a pass).
    static func upAndCheck(_ lab: TestLab, controllers: [String], workers: [String]) throws -> [[String: Any]] {
        let up = try lab.hardway(["up"])
        try #require(up.status == 0, "\(up)")
        for heading in ["== 1/8 validate", "== 2/8 binaries", "== 6/8 apply", "== 8/8 smoke test", "== what runs now"] {
            #expect(up.stdout.contains(heading), "missing \(heading)")
        }
        #expect(up.stdout.contains("admin-remote.kubeconfig get nodes"), "up says how to reach the cluster")
        // ... and that way works from this box, through the load balancer, with this box's own kubectl.
        let nodes = try Program.run(try Program.tool("kubectl"), ["--kubeconfig", "\(lab.dir)/kubeconfigs/admin-remote.kubeconfig", "get", "nodes", "-o", "name"], in: lab.directory)
        #expect(nodes.status == 0 && workers.allSatisfy { nodes.stdout.contains("node/\($0)\n") }, "\(nodes)")

        let check = try lab.hardway(["check", "--output", "json"])
        #expect(check.status == 0, "\(check)")
        let rows = try Self.rows(check)
        for row in rows {
            let state = row["state"] as? String
            #expect(state == "ok" || (row["area"] as? String == "dns" && state == "not deployed"), "\(row)")
        }
        let dns = rows.first { $0["area"] as? String == "dns" }
        #expect(dns?["state"] as? String == "not deployed", "DNS is off in the file and shown so: \(String(describing: dns))")
        for controller in controllers {
            #expect(ApplyLabTests.row(rows, "control plane", controller)?["detail"] as? String == "kube-apiserver /livez ok")
        }
        for lease in ["kube-controller-manager leader", "kube-scheduler leader"] {
            #expect((ApplyLabTests.row(rows, "control plane", lease)?["detail"] as? String)?.hasPrefix("held by ") == true, "\(lease): \(rows)")
        }
        #expect(ApplyLabTests.row(rows, "control plane", "endpoint")?["state"] as? String == "ok")
        #expect(ApplyLabTests.row(rows, "encryption at rest", "aescbc")?["state"] as? String == "ok")
        for worker in workers {
            let detail = ApplyLabTests.row(rows, "nodes", worker)?["detail"] as? String ?? ""
            #expect(detail.hasPrefix("Ready (v1.20.2, containerd://"), "\(worker): \(detail)")
        }

        // The smoke test on its own: every row ok, and its namespace gone after.
        let smoke = try lab.hardway(["check", "--smoke", "--output", "json"])
        #expect(smoke.status == 0, "\(smoke)")
        let smokeRows = try Self.rows(smoke).filter { $0["area"] as? String == "smoke" }
        let subjects = Set(smokeRows.compactMap { $0["subject"] as? String })
        for subject in ["deployment", "kubectl exec", "kubectl logs", "service", "port-forward"] {
            #expect(subjects.contains(subject), "the smoke test has a \(subject) row: \(subjects)")
        }
        for worker in workers {
            #expect(subjects.contains("node port \(worker)"), "\(worker)'s node port was tried")
            if workers.count > 1 { #expect(subjects.contains("pod to pod \(worker)"), "\(worker)'s pod reached the others") }
        }
        for row in smokeRows { #expect(row["state"] as? String == "ok", "\(row)") }
        let namespace = try lab.ssh(controllers[0], "/usr/local/bin/kubectl --kubeconfig /etc/kubernetes/admin.kubeconfig get namespace hardway-smoke -o jsonpath='{.status.phase}'")
        #expect(namespace.status != 0 || namespace.stdout == "Terminating", "the smoke test's namespace is removed: \(namespace)")

        // Nothing serves plain, unauthenticated HTTP (1.20's defaults: 8080, 10251, 10252), and the
        // scheduler's and controller manager's own ports listen on loopback only.
        let ports = try lab.ssh(controllers[0], "ss -Htln")
        for port in [":8080 ", ":10251 ", ":10252 "] { #expect(!ports.stdout.contains(port), "\(port) is open on \(controllers[0]): \(ports.stdout)") }
        #expect(ports.stdout.contains("127.0.0.1:10257 ") && ports.stdout.contains("127.0.0.1:10259 "), "\(ports.stdout)")
        // Every configuration file is read strictly: no field the release does not know.
        for host in [controllers[0], workers[0]] {
            let lenient = try lab.ssh(host, "journalctl --no-pager | grep -c 'strict decoding failed' || true")
            #expect(lenient.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(host) fell back to lenient decoding of a configuration file")
        }
        return rows
    }

    static func noOpApply(_ lab: TestLab) throws {
        let again = try lab.hardway(["apply", "--output", "json"])
        #expect(again.status == 0, "\(again)")
        let totals = try ApplyLabTests.totals(again)
        #expect(totals.writes == 0 && totals.restarts.isEmpty, "a second apply writes and restarts nothing: \(totals)")
    }

    static func tearDown(_ lab: TestLab) throws {
        let down = try lab.hardway(["lab", "down"])
        #expect(down.status == 0, "\(down)")
        #expect(try lab.traces() == [])
    }

    @Test("the lab example: up to a smoke-tested cluster, check, the controller, etcd and worker drills, a no-op re-apply")
    func labExample() throws {
        try LabMachineTests.requireRootImage()
        try KubernetesBinariesTests.requireBuild()
        let lab = try TestLab(hosts: [("lb-0", 5), ("master-0", 10), ("master-1", 11), ("master-2", 12), ("worker-0", 20), ("worker-1", 21)])
        defer { lab.cleanUp() }
        _ = try Self.upAndCheck(lab, controllers: ["master-0", "master-1", "master-2"], workers: ["worker-0", "worker-1"])
        try Self.noOpApply(lab)

        for kind in ["controller", "etcd", "worker"] {
            let drill = try lab.hardway(["drill", kind, "--output", "json"])
            #expect(drill.status == 0, "\(kind): \(drill)")
            let report = try #require(JSONSerialization.jsonObject(with: Data(drill.stdout.utf8)) as? [String: Any], "\(drill)")
            #expect(report["held"] as? Bool == true, "\(kind): \(report)")
            let figures = report["figures"] as? [[String: Any]] ?? []
            for figure in figures { #expect(figure["ok"] as? Bool == true, "\(kind): \(figure)") }
            if kind == "controller" {
                let requests = figures.first { $0["name"] as? String == "requests through the endpoint" }?["value"] as? String ?? ""
                #expect(requests.contains(" sent, 0 failed"), "zero failed requests through the endpoint: \(requests)")
            }
            // The cluster is whole again after each drill.
            let check = try lab.hardway(["check"])
            #expect(check.status == 0, "after the \(kind) drill: \(check)")
        }
        try Self.tearDown(lab)
    }

    @Test("dedicated etcd hosts behind nginx (tutorials 002 and 003): up, check, smoke")
    func dedicatedEtcdWithNginx() throws {
        try LabMachineTests.requireRootImage()
        try KubernetesBinariesTests.requireBuild()
        let lab = try TestLab(hosts: [("lb-0", 5), ("etcd-0", 30), ("etcd-1", 31), ("etcd-2", 32), ("master-0", 10), ("master-1", 11), ("worker-0", 20)],
                              loadBalancer: "nginx")
        defer { lab.cleanUp() }
        _ = try Self.upAndCheck(lab, controllers: ["master-0", "master-1"], workers: ["worker-0"])
        let etcdOnControllers = try lab.ssh("master-0", "systemctl is-active etcd")
        #expect(etcdOnControllers.stdout.hasPrefix("inactive") || etcdOnControllers.stdout.hasPrefix("unknown"), "no etcd on a controller: \(etcdOnControllers)")
        try Self.tearDown(lab)
    }

    @Test("one controller with its etcd, one worker, HAProxy (tutorial 004): up, check, smoke")
    func singleController() throws {
        try LabMachineTests.requireRootImage()
        try KubernetesBinariesTests.requireBuild()
        let lab = try TestLab(hosts: [("lb-0", 5), ("master-0", 10), ("worker-0", 20)])
        defer { lab.cleanUp() }
        _ = try Self.upAndCheck(lab, controllers: ["master-0"], workers: ["worker-0"])
        // up again: every step finds its work done.
        let again = try lab.hardway(["up"])
        #expect(again.status == 0, "\(again)")
        #expect(again.stdout.contains("nothing changed: no file written, no unit restarted"), "\(again.stdout)")

        // DNS switched on where its image cannot be had: apply stops at addons, naming the image and
        // where it looks for it (the machines have no route off this box, so the pull fails at once).
        let text = try String(contentsOfFile: lab.file, encoding: .utf8)
        try Scratch.write(text.replacingOccurrences(of: "addons: { dns: false }", with: "addons: { dns: true }"), to: lab.file)
        #expect(try lab.hardway(["render"]).status == 0)
        let dns = try lab.hardway(["apply"])
        #expect(dns.status == 1, "\(dns)")
        #expect(dns.stderr.contains("addons on master-0: CoreDNS's image registry.k8s.io/coredns:1.7.0 cannot be had"), "\(dns.stderr)")
        #expect(dns.stderr.contains("\(lab.dir)/binaries/images/") || dns.stderr.contains("out/binaries/images/"), "\(dns.stderr)")
        #expect(dns.stderr.contains("addons.dns: false"), "\(dns.stderr)")
        try Self.tearDown(lab)
    }
}

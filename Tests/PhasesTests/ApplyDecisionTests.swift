import Foundation
import Testing
import ClusterModel
import Remote
import Shell
import Phases
import TestSupport

/// What apply decides, tested on scripted hosts: no machines, no root. Each test starts from the
/// fixture cluster applied through the load balancer and changes one thing.
@Suite("apply's decisions on scripted hosts")
struct ApplyDecisionTests {
    static let haproxyConfig = "/etc/haproxy/haproxy.cfg"

    /// The fixture's file with an edit on one host, as a person or a failed write would leave it.
    func tamper(_ cluster: ScriptedCluster, _ host: String, _ path: String) throws {
        let scripted = try #require(cluster.hosts[host])
        let file = try #require(scripted.file(path), "\(host) has \(path)")
        scripted.put(RemoteFile(path: path, mode: file.mode, owner: file.owner, contents: try file.contents() + Data("# edited by hand\n".utf8)))
    }

    @Test("the phases run in the order of their ids, and --until's stops are among them")
    func workflowOrder() throws {
        let cluster = try ScriptedCluster()
        let report = try cluster.apply(until: .loadbalancer)
        #expect(report.phases.map(\.phase) == Phase.through(.loadbalancer).map(\.rawValue))
    }

    @Test("nothing changed: nothing is written and nothing restarts")
    func noOp() throws {
        let cluster = try ScriptedCluster()
        let report = try cluster.apply(until: .loadbalancer)
        #expect(report.writes == 0 && report.restarts == 0, "\(ScriptedCluster.written(report)) \(ScriptedCluster.restarts(report))")
        #expect(cluster.hosts.values.allSatisfy { $0.uploads.isEmpty })
        #expect(cluster.hosts.values.flatMap(\.unscripted).isEmpty, "\(cluster.hosts.values.flatMap(\.unscripted))")
    }

    @Test("a file whose stamp (size, inode, change time) is the one recorded is not hashed again; one changed behind apply's back is, and is rewritten")
    func unchangedFilesAreNotReadAgain() throws {
        let cluster = try ScriptedCluster()
        _ = try cluster.apply(until: .loadbalancer)
        func hashed(_ run: () throws -> Void) rethrows -> [String] {
            let before = cluster.hosts.mapValues(\.hashed.count)
            try run()
            return cluster.hosts.sorted { $0.key < $1.key }.flatMap { name, host in host.hashed.dropFirst(before[name] ?? 0).map { "\(name):\($0)" } }
        }
        #expect(try hashed { _ = try cluster.apply(until: .loadbalancer) } == [], "every stamp was recorded by the run before")
        try tamper(cluster, "lb-0", Self.haproxyConfig)
        var report: ApplyReport?
        #expect(try hashed { report = try cluster.apply(until: .loadbalancer) } == ["lb-0:\(Self.haproxyConfig)"])
        #expect(ScriptedCluster.written(try #require(report)) == ["lb-0:\(Self.haproxyConfig)"])
        #expect(cluster.record.stamps?["lb-0"]?[Self.haproxyConfig]?.stamp == cluster.hosts["lb-0"]!.stamp(Self.haproxyConfig),
                "the rewritten file's new stamp is remembered with the sha256 written")
        #expect(try hashed { _ = try cluster.apply(until: .loadbalancer) } == [], "what a run wrote is not read back by the next")
        #expect(ApplyRecord.FileStamp.isWhole("151344:254378:1663687647.000000000"))
        #expect(!ApplyRecord.FileStamp.isWhole("151344:254378:%.9Z") && !ApplyRecord.FileStamp.isWhole("151344:254378:1663687647") && !ApplyRecord.FileStamp.isWhole("::."))
    }

    @Test("a changed file is written alone and restarts only the unit that reads it (a load balancer reloads)")
    func changedFileRestartsItsUnit() throws {
        let cluster = try ScriptedCluster()
        try tamper(cluster, "lb-0", Self.haproxyConfig)
        let marks = cluster.mark()
        let report = try cluster.apply(until: .loadbalancer)
        #expect(ScriptedCluster.written(report) == ["lb-0:\(Self.haproxyConfig)"])
        #expect(ScriptedCluster.restarts(report) == ["lb-0/haproxy"])
        #expect(cluster.hosts["lb-0"]!.uploads.map(\.path) == [Self.haproxyConfig])
        let ran = cluster.commands(since: marks)
        #expect(ran["lb-0"]!.contains("systemctl reload haproxy"), "a running load balancer reloads: \(ran["lb-0"]!)")
        #expect(!ran.values.joined().contains { $0.hasPrefix("systemctl restart") }, "nothing else restarts")
        #expect(cluster.record.pendingRestarts == nil, "nothing is owed after the run")
    }

    @Test("a changed etcd file restarts the members one at a time, each gated on every member healthy")
    func etcdRollsOneAtATime() throws {
        let cluster = try ScriptedCluster()
        for member in ["master-0", "master-1", "master-2"] { try tamper(cluster, member, "/etc/systemd/system/etcd.service") }
        let marks = cluster.mark()
        let report = try cluster.apply(until: .etcd)
        #expect(ScriptedCluster.restarts(report) == ["master-0/etcd", "master-1/etcd", "master-2/etcd"])
        // Each restart is followed by a health gate on the first member before the next member restarts.
        let first = cluster.commands(since: marks)["master-0"]!
        let restart = try #require(first.firstIndex(of: "systemctl restart etcd"))
        #expect(first[first.index(after: restart)...].contains { $0.contains("endpoint health") })
        #expect(first.contains("systemctl daemon-reload"), "a changed unit file is reloaded before the restart")
    }

    @Test("an interrupted apply owes the restart: the next run makes it though no file differs, and then owes nothing")
    func owedRestartsSurviveAnInterruption() throws {
        let cluster = try ScriptedCluster()
        try tamper(cluster, "lb-0", Self.haproxyConfig)
        // Stopped after distribute wrote the file, before the load balancer's phase.
        let partial = try cluster.apply(until: .etcd)
        #expect(ScriptedCluster.written(partial) == ["lb-0:\(Self.haproxyConfig)"] && ScriptedCluster.restarts(partial).isEmpty)
        #expect(cluster.record.pendingRestarts == ["lb-0": ["haproxy"]])
        let finished = try cluster.apply(until: .loadbalancer)
        #expect(ScriptedCluster.written(finished).isEmpty)
        #expect(ScriptedCluster.restarts(finished) == ["lb-0/haproxy"])
        #expect(cluster.record.pendingRestarts == nil)
    }

    @Test("a departed worker is drained through the first controller, its units stopped and its files removed, and the record forgets it")
    func departedHostIsCleaned() throws {
        let cluster = try ScriptedCluster()
        // worker-2 was applied with the control plane, and is gone from the file.
        var record = cluster.record
        record.phases[Phase.controlPlane.rawValue] = Date(timeIntervalSince1970: 1_800_000_000)
        let gone = ["/etc/systemd/system/kubelet.service", "/var/lib/kubelet/kubeconfig"]
        var leaver = try #require(record.hosts?["worker-0"])
        leaver.address = "10.240.0.22"
        leaver.sshAddress = "10.240.0.22"
        leaver.podCIDR = "10.200.9.0/24"
        record.hosts?["worker-2"] = leaver
        record.files?["worker-2"] = gone
        try record.save(cluster.recordPath)
        let worker = ScriptedHost.node("worker-2", address: "10.240.0.22")
        for path in gone { worker.put(RemoteFile(path: path, mode: 0o644, contents: Data("old\n".utf8))) }
        worker.start("kubelet")
        cluster.departed["worker-2"] = worker
        let master = cluster.hosts["master-0"]!
        master.on("get node 'worker-2' -o name", stdout: "node/worker-2\n")
        master.on("drain 'worker-2'")
        master.on("delete node 'worker-2'")

        let report = try cluster.apply(until: .distribute)
        let step = try #require(report.phases.first { $0.phase == "distribute" }?.hosts.first { $0.host == "worker-2" })
        #expect(step.removed == gone && step.notes.contains("drained; Node deleted"), "\(step)")
        #expect(master.commands.contains { $0.contains("drain 'worker-2'") } && master.commands.contains { $0.contains("delete node 'worker-2'") })
        #expect(worker.paths.isEmpty && !worker.active.contains("kubelet"), "units stopped and files removed: \(worker.paths) \(worker.active)")
        #expect(cluster.record.hosts?["worker-2"] == nil && cluster.record.files?["worker-2"] == nil)
    }

    @Test("a worker whose pod CIDR would move under its pods stops the run before any host is touched")
    func movedPodCIDRIsRefused() throws {
        let cluster = try ScriptedCluster()
        var record = cluster.record
        record.hosts?["worker-0"]?.podCIDR = "10.200.7.0/24"
        try record.save(cluster.recordPath)
        let error = #expect(throws: PhaseError.self) { try cluster.apply(until: .loadbalancer) }
        #expect(error?.code == .refusedChange && error?.host == "worker-0" && error?.fix.contains("podCIDR: 10.200.7.0/24") == true)
        #expect(cluster.hosts.values.allSatisfy { $0.commands.isEmpty }, "no host was reached")
    }

    /// Words of commands that change a host; a plan may run none of them.
    static let changes = ["systemctl restart", "systemctl reload", "systemctl enable", "systemctl start", "systemctl stop", "systemctl disable",
                          "daemon-reload", "rm -f", "kubectl apply", "cordon", "drain", "delete node", "member add", "member remove",
                          "move-leader", "swapoff", "sysctl -q", "modprobe", "apt-get", "mv /var/lib", "tar -x", "create secret"]

    @Test("plan runs every phase and changes nothing: no upload, no command that changes a host, applied.json as it was")
    func planChangesNothing() throws {
        let cluster = try ScriptedCluster()
        try tamper(cluster, "lb-0", Self.haproxyConfig)
        try tamper(cluster, "master-1", "/etc/systemd/system/etcd.service")
        cluster.hosts["worker-0"]!.stop("hardway-pod-routes")
        var record = cluster.record
        record.pendingRestarts = ["master-2": ["etcd"]]
        try record.save(cluster.recordPath)
        let before = try Data(contentsOf: URL(fileURLWithPath: cluster.recordPath))

        let report = try cluster.apply(until: nil, dryRun: true)
        #expect(report.dryRun && report.phases.map(\.phase) == Phase.allCases.map(\.rawValue))
        let ran = cluster.commands().values.joined()
        let changing = ran.filter { command in Self.changes.contains { command.contains($0) } }
        #expect(changing.isEmpty, "a plan ran \(changing)")
        #expect(cluster.hosts.values.allSatisfy { $0.uploads.isEmpty })
        #expect(try Data(contentsOf: URL(fileURLWithPath: cluster.recordPath)) == before)
        #expect(!FileManager.default.fileExists(atPath: cluster.recordPath + ".lock"), "planning takes no apply lock")
        // What apply would do, all of it.
        #expect(ScriptedCluster.written(report) == ["lb-0:\(Self.haproxyConfig)", "master-1:/etc/systemd/system/etcd.service"])
        let restarts = ScriptedCluster.restarts(report)
        for expected in ["lb-0/haproxy", "master-1/etcd", "master-2/etcd", "worker-0/hardway-pod-routes"] {
            #expect(restarts.contains(expected), "\(expected) missing from \(restarts)")
        }
        let notes = report.phases.flatMap(\.hosts).flatMap(\.notes)
        #expect(notes.contains("would reload haproxy") && notes.contains { $0.hasPrefix("would stop: control-plane needs kube-apiserver") }, "\(notes)")
    }

    @Test("an emptied applied.json stops apply and plan before any host is reached, naming it and the copy to restore; each save keeps the one before")
    func damagedRecordStops() throws {
        let cluster = try ScriptedCluster()
        _ = try cluster.apply(until: .network)
        let previous = ApplyRecord.previousPath(cluster.recordPath)
        #expect(FileManager.default.fileExists(atPath: previous), "a save keeps the record it replaces")
        #expect(try ApplyRecord.load(previous).applied(.loadbalancer))
        let marks = cluster.mark()
        try Data().write(to: URL(fileURLWithPath: cluster.recordPath))
        for dryRun in [false, true] {
            let error = #expect(throws: PhaseError.self) { try cluster.apply(until: .loadbalancer, dryRun: dryRun) }
            #expect(error?.code == .ledger && error?.message.contains(cluster.recordPath) == true && error?.message.contains("it is empty") == true)
            #expect(error?.fix.contains("cp \(previous) \(cluster.recordPath)") == true, "\(String(describing: error))")
        }
        #expect(cluster.commands(since: marks).values.allSatisfy { $0.isEmpty }, "no host was reached")
        let mode = try FileManager.default.attributesOfItem(atPath: previous)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("when several hosts fail in one step, every one is reported, not only the first")
    func everyFailureIsReported() throws {
        let cluster = try ScriptedCluster()
        for name in ["worker-0", "worker-1"] {
            cluster.hosts[name]!.on({ $0.contains("echo \"os=$ID") }) { _, _ in ExecResult(status: 1, stdout: "", stderr: "no route to host") }
        }
        do {
            _ = try cluster.apply(until: .loadbalancer)
            Issue.record("apply went on with two hosts failing")
        } catch let error as HostFailures {
            #expect(error.failures.map(\.host) == ["worker-0", "worker-1"])
            #expect(error.failures.allSatisfy { ($0.error as? RemoteError)?.result.stderr == "no route to host" })
        }
    }
}

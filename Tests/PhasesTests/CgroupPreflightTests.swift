import Foundation
import Testing
import ClusterModel
import Remote
import Phases
import TestSupport

/// From 1.35 the kubelet will not start on a cgroup v1 host: apply's preflight refuses such a worker
/// before any file reaches any host, naming it and the two ways out.
@Suite("apply's cgroup preflight on scripted hosts")
struct CgroupPreflightTests {
    static func cluster(_ version: String) throws -> ScriptedCluster {
        try ScriptedCluster(Fixture.base.replacingOccurrences(of: "name: test", with: "name: test\nkubernetesVersion: \(version)"))
    }

    /// A worker answering as a cgroup v1 (or hybrid) host does: /sys/fs/cgroup is a tmpfs of v1 controllers.
    static func makeCgroupV1(_ cluster: ScriptedCluster, _ host: String) throws {
        _ = try #require(cluster.hosts[host]).on("stat -fc %T /sys/fs/cgroup", stdout: "tmpfs\n")
    }

    /// A file of the worker edited by hand, so a run that got past preflight would upload it.
    static func owe(_ cluster: ScriptedCluster, _ host: String) throws {
        let scripted = try #require(cluster.hosts[host])
        let path = "/var/lib/kubelet/kubelet-config.yaml"
        let file = try #require(scripted.file(path))
        scripted.put(RemoteFile(path: path, mode: file.mode, owner: file.owner, contents: try file.contents() + Data("# edited\n".utf8)))
    }

    @Test("1.35 and later: a cgroup v1 worker stops the run in preflight, naming the host and the choice, with nothing uploaded",
          arguments: ["v1.35.0", "v1.36.1", "v1.37.0"])
    func cgroupV1WorkerIsRefused(_ version: String) throws {
        let cluster = try Self.cluster(version)
        try Self.makeCgroupV1(cluster, "worker-1")
        try Self.owe(cluster, "worker-1")
        let error = #expect(throws: PhaseError.self) { try cluster.apply(until: .loadbalancer) }
        #expect(error?.code == .unsuitableHost && error?.phase == .preflight && error?.host == "worker-1", "\(String(describing: error))")
        #expect(error?.message.contains("cgroup v1") == true && error?.message.contains(version) == true, "\(String(describing: error))")
        #expect(error?.fix.contains("cgroup v2") == true && error?.fix.contains("v1.34 or older") == true, "\(String(describing: error))")
        #expect(cluster.hosts.values.allSatisfy { $0.uploads.isEmpty }, "nothing was installed anywhere")
        #expect(cluster.hosts.values.flatMap(\.unscripted).isEmpty, "\(cluster.hosts.values.flatMap(\.unscripted))")
    }

    @Test("1.34 still runs on cgroup v1: the same host passes preflight and gets its file")
    func olderReleaseRunsOnCgroupV1() throws {
        let cluster = try Self.cluster("v1.34.2")
        try Self.makeCgroupV1(cluster, "worker-1")
        try Self.owe(cluster, "worker-1")
        let report = try cluster.apply(until: .loadbalancer)
        #expect(ScriptedCluster.written(report) == ["worker-1:/var/lib/kubelet/kubelet-config.yaml"])
        #expect(!cluster.hosts["worker-1"]!.commands.contains("stat -fc %T /sys/fs/cgroup"), "1.34 does not ask")
    }

    @Test("a cgroup v2 worker passes on 1.35, and only workers are asked (the kubelet runs nowhere else)")
    func cgroupV2WorkerPasses() throws {
        let cluster = try Self.cluster("v1.35.0")
        let report = try cluster.apply(until: .loadbalancer)
        #expect(report.writes == 0)
        for (name, host) in cluster.hosts {
            let asked = host.commands.contains("stat -fc %T /sys/fs/cgroup")
            #expect(asked == cluster.cluster.host(named: name)!.has(.worker), "\(name) asked: \(asked)")
        }
    }
}

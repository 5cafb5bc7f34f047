import Foundation
import Testing
import Lab
import TestSupport

/// The lab's cgroup code against fake /sys/fs/cgroup trees (plain directories with the files the
/// kernel shows) for the three layouts a Linux box can have: v1 only, hybrid (this box: v1
/// controllers and an empty v2 tree at `unified`) and v2 only. The v2 path has never run on a real
/// v2 host here; these trees are what it is proven against.
@Suite("cgroups: hierarchies, delegation, cpusets and removal on v1, hybrid and v2 trees")
struct CgroupsTests {
    /// A fake cgroup directory: cgroup.procs always, the v2 files when `v2` is given.
    static func group(_ path: String, procs: String = "", v2: (controllers: String, subtree: String)? = nil) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try procs.write(toFile: "\(path)/cgroup.procs", atomically: false, encoding: .utf8)
        if let v2 {
            try (v2.controllers + "\n").write(toFile: "\(path)/cgroup.controllers", atomically: false, encoding: .utf8)
            try (v2.subtree.isEmpty ? "\n" : v2.subtree + "\n").write(toFile: "\(path)/cgroup.subtree_control", atomically: false, encoding: .utf8)
        }
    }

    /// v1 controllers as Debian mounts them: cpu and cpuacct joined (cpu and cpuacct are links to
    /// the joint mount), net_cls,net_prio likewise, the others alone; `name=systemd` at systemd.
    static func v1Tree(unified: Bool) throws -> String {
        let root = try TemporaryDirectory.make("hwt-cgroup-\(unified ? "hybrid" : "v1")")
        for name in ["systemd", "cpu,cpuacct", "cpuset", "memory", "pids", "net_cls,net_prio", "blkio", "devices", "freezer"] {
            try group("\(root)/\(name)")
        }
        for (link, target) in [("cpu", "cpu,cpuacct"), ("cpuacct", "cpu,cpuacct"), ("net_cls", "net_cls,net_prio"), ("net_prio", "net_cls,net_prio")] {
            try FileManager.default.createSymbolicLink(atPath: "\(root)/\(link)", withDestinationPath: target)
        }
        try "0-3\n".write(toFile: "\(root)/cpuset/cpuset.cpus", atomically: false, encoding: .utf8)
        try "0\n".write(toFile: "\(root)/cpuset/cpuset.mems", atomically: false, encoding: .utf8)
        // A directory that is no cgroup mount (rdma not mounted): no cgroup.procs.
        try FileManager.default.createDirectory(atPath: "\(root)/rdma", withIntermediateDirectories: true)
        if unified { try group("\(root)/unified", v2: (controllers: "", subtree: "")) }
        return root
    }

    /// v2 as systemd leaves it: every controller at the root, the usual ones handed down, slices
    /// below (each a v2 group: they must not pass for v1 controllers).
    static func v2Tree() throws -> String {
        let root = try TemporaryDirectory.make("hwt-cgroup-v2")
        try group(root, procs: "1\n", v2: (controllers: "cpuset cpu io memory hugetlb pids rdma misc", subtree: "cpu io memory pids"))
        try "0-3\n".write(toFile: "\(root)/cpuset.cpus.effective", atomically: false, encoding: .utf8)
        for slice in ["init.scope", "system.slice", "user.slice"] {
            try group("\(root)/\(slice)", procs: slice == "init.scope" ? "1\n" : "", v2: (controllers: "cpu io memory pids", subtree: ""))
        }
        return root
    }

    @Test("v1: the systemd tree and one path per controller mount; links, unmounted directories and a missing unified tree left out")
    func legacyHierarchies() throws {
        let root = try Self.v1Tree(unified: false)
        #expect(Cgroups.layout(root: root) == .legacy)
        #expect(Cgroups.hierarchies(root: root) == ["systemd", "blkio", "cpu,cpuacct", "cpuset", "devices", "freezer", "memory", "net_cls,net_prio", "pids"].map { "\(root)/\($0)" })
    }

    @Test("hybrid: systemd, then unified, then the v1 controllers (unified is no controller though it has cgroup.procs)")
    func hybridHierarchies() throws {
        let root = try Self.v1Tree(unified: true)
        #expect(Cgroups.layout(root: root) == .hybrid)
        let hierarchies = Cgroups.hierarchies(root: root)
        #expect(hierarchies.prefix(2) == ["\(root)/systemd", "\(root)/unified"], "\(hierarchies)")
        #expect(hierarchies.count == 10 && !hierarchies.contains("\(root)/cpu") && !hierarchies.contains("\(root)/rdma"), "\(hierarchies)")
        #expect(Cgroups.controllers(root: root) == Array(hierarchies.dropFirst(2)))
    }

    @Test("v2: the root alone; its slices are not taken for v1 controllers")
    func unifiedHierarchies() throws {
        let root = try Self.v2Tree()
        #expect(Cgroups.layout(root: root) == .unified)
        #expect(Cgroups.hierarchies(root: root) == [root])
    }

    @Test("the layout of this box's own /sys/fs/cgroup: every hierarchy picked is a cgroup mount, and every v1 controller mount is picked")
    func thisBoxMatchesItsMountTable() throws {
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8).split(separator: "\n").compactMap { line -> (point: String, type: String)? in
            let fields = line.split(separator: " ")
            guard let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count, fields.count > 4 else { return nil }
            return (String(fields[4]), String(fields[dash + 1]))
        }
        let cgroupMounts = mounts.filter { ($0.type == "cgroup" || $0.type == "cgroup2") && $0.point.hasPrefix(Cgroups.defaultRoot) }
        try #require(!cgroupMounts.isEmpty, "this box mounts no cgroup file system under /sys/fs/cgroup")
        let hierarchies = Cgroups.hierarchies()
        for hierarchy in hierarchies { #expect(cgroupMounts.contains { $0.point == hierarchy }, "\(hierarchy) is not a cgroup mount: \(cgroupMounts)") }
        let expectedLayout: Cgroups.Layout = cgroupMounts.contains { $0.point == Cgroups.defaultRoot && $0.type == "cgroup2" } ? .unified
            : cgroupMounts.contains { $0.type == "cgroup2" } ? .hybrid : .legacy
        #expect(Cgroups.layout() == expectedLayout)
        if expectedLayout != .unified {
            for mount in cgroupMounts where mount.type == "cgroup" { #expect(hierarchies.contains(mount.point), "v1 mount \(mount.point) missing from \(hierarchies)") }
        }
    }

    @Test("v2 delegation: the root and each level above the machine hand down what they have, one write per controller; the machine's own group is left to nspawn")
    func v2Delegation() throws {
        let root = try Self.v2Tree()
        // What the kernel shows in new groups: the parent's subtree_control as cgroup.controllers.
        try Self.group("\(root)/hardway", v2: (controllers: "cpu io memory pids", subtree: ""))
        try Self.group("\(root)/hardway/test", v2: (controllers: "", subtree: ""))
        try Self.group("\(root)/hardway/test/worker-0", v2: (controllers: "", subtree: ""))
        try Cgroups.delegateControllers(hierarchy: root, group: "hardway/test/worker-0")
        func subtree(_ path: String) throws -> String { try String(contentsOfFile: "\(path)/cgroup.subtree_control", encoding: .utf8) }
        // The root had all but cpuset, hugetlb, rdma and misc enabled: only those are written.
        #expect(try subtree(root) == "cpu io memory pids\n+cpuset\n+hugetlb\n+rdma\n+misc\n")
        #expect(try subtree("\(root)/hardway") == "\n+cpu\n+io\n+memory\n+pids\n")
        // hardway/test shows no controllers in this fake (the kernel would show hardway's): nothing to write.
        #expect(try subtree("\(root)/hardway/test") == "\n")
        #expect(try subtree("\(root)/hardway/test/worker-0") == "\n")
    }

    @Test("delegation does nothing on v1 trees and in a hybrid box's controller-less unified tree")
    func noDelegationOnV1() throws {
        let root = try Self.v1Tree(unified: true)
        for hierarchy in Cgroups.hierarchies(root: root) {
            try FileManager.default.createDirectory(atPath: "\(hierarchy)/hardway/test/worker-0", withIntermediateDirectories: true)
            try Cgroups.delegateControllers(hierarchy: hierarchy, group: "hardway/test/worker-0")
            #expect(!FileManager.default.fileExists(atPath: "\(hierarchy)/hardway/cgroup.subtree_control"), "\(hierarchy)")
        }
        #expect(try String(contentsOfFile: "\(root)/unified/cgroup.subtree_control", encoding: .utf8) == "\n")
    }

    @Test("a level that will not hand down cpu, memory or pids is an error naming it; optional controllers refused are let go")
    func refusedDelegation() throws {
        let root = try Self.v2Tree()
        // A cgroup.subtree_control that cannot be opened for writing stands in for the kernel's refusal.
        try FileManager.default.createDirectory(atPath: "\(root)/hardway/cgroup.subtree_control", withIntermediateDirectories: true)
        try "cpu memory pids\n".write(toFile: "\(root)/hardway/cgroup.controllers", atomically: false, encoding: .utf8)
        do {
            try Cgroups.delegateControllers(hierarchy: root, group: "hardway/test/worker-0")
            Issue.record("a refused cpu controller passed")
        } catch let error as LabError {
            #expect(error.code == .cgroupDelegation)
            #expect(error.message == "cannot hand the cpu, memory, pids controllers down from \(root)/hardway (cgroup v2)", "\(error.message)")
            #expect(error.fix?.contains("hardway lab up") == true)
        }
        try "io hugetlb\n".write(toFile: "\(root)/hardway/cgroup.controllers", atomically: false, encoding: .utf8)
        try Cgroups.delegateControllers(hierarchy: root, group: "hardway/test/worker-0")
    }

    @Test("a v1 cpuset group gets its parent's CPUs and memory nodes at every level; a level with its own keeps them; no cpuset files, nothing written")
    func cpusetFill() throws {
        let root = try Self.v1Tree(unified: true)
        let cpuset = "\(root)/cpuset"
        for level in ["hardway", "hardway/test", "hardway/test/worker-0"] {
            try Self.group("\(cpuset)/\(level)")
            for file in ["cpuset.cpus", "cpuset.mems"] { try "\n".write(toFile: "\(cpuset)/\(level)/\(file)", atomically: false, encoding: .utf8) }
        }
        try "1\n".write(toFile: "\(cpuset)/hardway/test/cpuset.cpus", atomically: false, encoding: .utf8)
        try Cgroups.fillCpuset(hierarchy: cpuset, group: "hardway/test/worker-0")
        func read(_ level: String, _ file: String) throws -> String {
            try String(contentsOfFile: "\(cpuset)/\(level)/\(file)", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try read("hardway", "cpuset.cpus") == "0-3" && read("hardway", "cpuset.mems") == "0")
        #expect(try read("hardway/test", "cpuset.cpus") == "1" && read("hardway/test", "cpuset.mems") == "0")
        #expect(try read("hardway/test/worker-0", "cpuset.cpus") == "1" && read("hardway/test/worker-0", "cpuset.mems") == "0")

        let memory = "\(root)/memory"
        try Self.group("\(memory)/hardway/test/worker-0")
        try Cgroups.fillCpuset(hierarchy: memory, group: "hardway/test/worker-0")
        #expect(!FileManager.default.fileExists(atPath: "\(memory)/hardway/cpuset.cpus"))
    }

    @Test("processes: every pid of a group and the groups below it, once each, sorted")
    func processesBelowAGroup() throws {
        let root = try Self.v2Tree()
        let machine = "\(root)/hardway/test/worker-0"
        try Self.group(machine, procs: "4100\n")
        try Self.group("\(machine)/supervisor", procs: "4100\n4101\n")
        try Self.group("\(machine)/payload", procs: "4200\n")
        try Self.group("\(machine)/payload/system.slice/containerd.service", procs: "4300\n4301\n")
        #expect(Cgroups.processes(in: machine) == [4100, 4101, 4200, 4300, 4301])
        #expect(Cgroups.processes(in: "\(machine)/payload") == [4200, 4300, 4301])
        #expect(Cgroups.processes(in: "\(root)/hardway/absent").isEmpty)
    }

    @Test("removal goes depth first: empty groups go, one the kernel keeps stays with its ancestors, siblings still go, an absent one is removed already")
    func removal() throws {
        let root = try TemporaryDirectory.make("hwt-cgroup-remove")
        let cluster = "\(root)/hardway/test"
        for path in ["worker-0/payload/system.slice", "worker-0/supervisor", "worker-1/payload", "master-0"] {
            try FileManager.default.createDirectory(atPath: "\(cluster)/\(path)", withIntermediateDirectories: true)
        }
        #expect(Cgroups.remove("\(cluster)/worker-0"))
        #expect(!FileManager.default.fileExists(atPath: "\(cluster)/worker-0"))
        // A file in a plain directory makes rmdir fail as a busy cgroup does (EBUSY).
        FileManager.default.createFile(atPath: "\(cluster)/worker-1/payload/busy", contents: nil)
        #expect(!Cgroups.remove(cluster))
        #expect(FileManager.default.fileExists(atPath: "\(cluster)/worker-1/payload/busy"))
        #expect(!FileManager.default.fileExists(atPath: "\(cluster)/master-0"), "the sibling went")
        #expect(Cgroups.remove("\(root)/hardway/absent"))
    }
}

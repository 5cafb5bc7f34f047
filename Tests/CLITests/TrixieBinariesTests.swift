import Foundation
import Testing
import Binaries
import Shell
import TestSupport

/// etcd 3.5.16 and containerd 1.7.24 — the lab's upgrade targets — from Debian 13 (trixie) into a
/// binaries directory: fetched with apt's own tools through hardway's own apt state under
/// /var/cache/hardway/debs/trixie (once per version), never installed, the box's apt configuration and
/// lists untouched; their programs run here on Debian 12 and say their versions. runc stays Debian
/// 12's. Reaches Debian's archive, like Containerd2Tests.
@Suite("etcd 3.5.16 and containerd 1.7.24 from Debian trixie into a binaries directory", .serialized)
struct TrixieBinariesTests {
    static var cache: String { ProcessInfo.processInfo.environment["HARDWAY_CACHE"] ?? "/var/cache/hardway" }
    static var trixieCache: String { "\(cache)/debs/\(DebianPackages.trixie)" }

    /// Progress lines, as a run reports them.
    final class Lines: @unchecked Sendable {
        var all: [String] = []
        func add(_ line: String) { all.append(line) }
    }

    /// A build for the lab's release with trixie's etcd and containerd (or the versions given).
    static func build(_ directory: String, _ lines: Lines, etcd: String = "v3.5.16", containerd: String = "v1.7.24", runc: String = "v1.1.5") -> BinariesBuild {
        let resolver = BinaryResolver(directory: directory, downloads: false, cache: "\(cache)/releases", kubernetesVersion: "v1.20.2", etcdVersion: etcd)
        return BinariesBuild(directory: directory, kubernetesVersion: "v1.20.2", etcdVersion: etcd, containerdVersion: containerd, runcVersion: runc,
                             pauseImage: "registry.k8s.io/pause:3.2", cache: cache, resolver: resolver, progress: lines.add)
    }

    /// Every file under `root` by its sha256 (what "unchanged" means for the box's apt configuration).
    static func digests(under root: String) -> [String: String] {
        var result: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let entry = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: "\(root)/\(entry)", isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            result[entry] = (try? FileDigest.sha256(ofFile: "\(root)/\(entry)")) ?? "unreadable"
        }
        return result
    }

    /// The .deb files of the trixie cache with their modification times: a second run must not fetch again.
    static func debs() -> [String: Date] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: trixieCache)) ?? []).filter { $0.hasSuffix(".deb") }
        return Dictionary(uniqueKeysWithValues: files.map { file in
            (file, ((try? FileManager.default.attributesOfItem(atPath: "\(trixieCache)/\(file)"))?[.modificationDate] as? Date) ?? .distantPast)
        })
    }

    @Test("a Debian-only fill for etcdVersion v3.5.16 and containerdVersion v1.7.24: trixie's programs saying their versions, Debian 12's runc, versions recorded, trixie's lists only in hardway's apt state; a second run keeps everything and fetches nothing",
          .enabled(if: geteuid() == 0, "needs root: hardway's apt state is under /var/cache/hardway; run .ci/run or scripts/test as root"))
    func debianOnlyFillFromTrixie() throws {
        let scratch = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let directory = "\(scratch)/binaries"
        let aptConfiguration = Self.digests(under: "/etc/apt")
        let lines = Lines()
        let report = try Self.build(directory, lines).runDebianOnly()
        func item(_ name: String) -> BinariesBuild.Item? { report.binaries.first { $0.name == name } }

        // etcd and containerd from trixie, runc and the CNI plugins from the box's Debian 12.
        for (name, package) in [("etcd", "etcd-server"), ("etcdctl", "etcd-client")] {
            #expect(item(name)?.version == "v3.5.16", "\(name): \(String(describing: item(name)))")
            #expect(item(name)?.source.hasPrefix("Debian trixie \(package) 3.5.16-") == true, "\(name): \(String(describing: item(name)))")
        }
        for name in BinaryVersions.containerdPrograms {
            #expect(item(name).flatMap(\.version).map(BinaryVersions.normalized) == "v1.7.24", "\(name): \(String(describing: item(name)))")
            #expect(item(name)?.source.hasPrefix("Debian trixie containerd 1.7.24") == true, "\(name): \(String(describing: item(name)))")
        }
        #expect(item("runc")?.source.hasPrefix("Debian runc 1.1.5") == true && item("runc")?.version == "1.1.5+ds1", "\(String(describing: item("runc")))")
        #expect(item("cni/bridge")?.source.hasPrefix("Debian containernetworking-plugins ") == true)
        #expect(Set(report.missing?.map(\.name) ?? []) == ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl"],
                "only Kubernetes is left to `binaries build`: \(String(describing: report.missing))")

        // The programs themselves, run on this Debian 12 box.
        let said: [(String, [String], String)] = [
            ("etcd", ["--version"], "etcd Version: 3.5.16\n"), ("etcdctl", ["version"], "etcdctl version: 3.5.16\n"),
            ("containerd", ["--version"], " 1.7.24~ds1 "), ("ctr", ["--version"], " 1.7.24~ds1"),
            ("containerd-shim-runc-v2", ["-v"], "Version:  1.7.24~ds1\n"), ("runc", ["--version"], "runc version 1.1.5+ds1\n"),
        ]
        for (name, arguments, answer) in said {
            let run = try Program.run("\(directory)/\(name)", arguments, in: scratch)
            #expect(run.status == 0 && run.stdout.contains(answer), "\(name): \(run)")
        }

        // versions.json: each pinned program's answer with its sha256.
        let recorded = BinaryVersions(directory: directory).load()
        for name in ["etcd", "etcdctl"] + BinaryVersions.containerdPrograms {
            let entry = try #require(recorded[name], "\(name) is recorded: \(recorded.keys.sorted())")
            #expect(entry.sha256 == (try FileDigest.sha256(ofFile: "\(directory)/\(name)")), "\(name)")
            #expect(BinaryVersions.normalized(entry.version) == (name.hasPrefix("etcd") ? "v3.5.16" : "v1.7.24"), "\(name): \(entry.version)")
        }

        // Trixie's index is in hardway's apt state only; the box's apt configuration is as it was.
        let lists = (try? FileManager.default.contentsOfDirectory(atPath: "\(Self.trixieCache)/apt/lists")) ?? []
        #expect(lists.contains { $0.contains("_dists_trixie_") && $0.contains("_Packages") }, "\(lists)")
        let boxLists = (try? FileManager.default.contentsOfDirectory(atPath: "/var/lib/apt/lists")) ?? []
        #expect(!boxLists.contains { $0.contains("_dists_trixie") }, "\(boxLists)")
        #expect(Self.digests(under: "/etc/apt") == aptConfiguration, "the box's apt configuration changed")
        let packages = Self.debs()
        #expect(Set(packages.keys.map { String($0.prefix { $0 != "_" }) }) == ["containerd", "etcd-server", "etcd-client"], "\(packages.keys.sorted())")

        // Again: everything kept, nothing fetched or read from the archive.
        let again = Lines()
        let second = try Self.build(directory, again).runDebianOnly()
        #expect(second.binaries.allSatisfy { $0.action == "kept" }, "\(second.binaries.filter { $0.action != "kept" })")
        #expect(!again.all.contains { $0.hasPrefix("taking ") || $0.hasPrefix("reading ") }, "\(again.all)")
        #expect(Self.debs() == packages)
    }

    @Test("lab up's Debian half lists a containerd, runc or etcd that Debian lacks as missing, with what Debian has and how to get it, and places the rest",
          .enabled(if: geteuid() == 0, "needs root: hardway's apt state is under /var/cache/hardway; run .ci/run or scripts/test as root"))
    func debianOnlyFillListsWhatDebianLacks() throws {
        let scratch = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let directory = "\(scratch)/binaries"
        let report = try Self.build(directory, Lines(), etcd: "v3.5.17", containerd: "v2.0.0", runc: "v1.1.12").runDebianOnly()
        let missing = Dictionary(uniqueKeysWithValues: (report.missing ?? []).map { ($0.name, $0.fix) })
        for name in BinaryVersions.containerdPrograms {
            let fix = try #require(missing[name], "\(name) is missing: \(missing.keys.sorted())")
            #expect(fix.hasPrefix("containerdVersion is v2.0.0, which Debian lacks (") && fix.contains("Debian trixie has containerd v1.7.24")
                    && fix.contains("set containerdVersion: v1.6.20 or v1.7.24") && fix.contains("hardway binaries build"), "\(fix)")
        }
        #expect(missing["runc"]?.contains("set runcVersion: v1.1.5") == true, "\(String(describing: missing["runc"]))")
        #expect(missing["etcd"] == "hardway binaries build" && missing["etcdctl"] != nil)
        #expect(report.binaries.map(\.name).allSatisfy { $0.hasPrefix("cni/") }, "only the CNI plugins were placed: \(report.binaries.map(\.name))")
    }

    @Test("fillEtcd and fillContainerd put one program group of a version alone into a directory, record it and keep its SHA256SUMS true; a version Debian lacks is an error naming what it has",
          .enabled(if: geteuid() == 0, "needs root: hardway's apt state is under /var/cache/hardway; run .ci/run or scripts/test as root"))
    func oneProgramGroupAlone() throws {
        let scratch = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let directory = "\(scratch)/next"
        let etcd = try BinariesBuild.fillEtcd(version: "v3.5.16", directory: directory, cache: Self.cache)
        #expect(etcd.map(\.name) == ["etcd", "etcdctl"] && etcd.allSatisfy { $0.version == "v3.5.16" }, "\(etcd)")
        let containerd = try BinariesBuild.fillContainerd(version: "v1.7.24", directory: directory, cache: Self.cache)
        #expect(containerd.map(\.name) == BinaryVersions.containerdPrograms, "\(containerd)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(files == ["containerd", "containerd-shim-runc-v2", "ctr", "etcd", "etcdctl", "versions.json"], "\(files)")

        // A directory with SHA256SUMS keeps it true when containerd goes back to Debian 12's.
        try Scratch.write("", to: "\(directory)/SHA256SUMS")
        let bookworm = try BinariesBuild.fillContainerd(version: "1.6.20", directory: directory, cache: Self.cache)
        #expect(bookworm.allSatisfy { $0.action == "replaced" && $0.source.hasPrefix("Debian containerd 1.6.20") }, "\(bookworm)")
        #expect(BinaryVersions(directory: directory).load()["containerd"]?.version == "1.6.20~ds1")
        let sums = try Program.run("/usr/bin/sha256sum", ["-c", "--strict", "SHA256SUMS"], in: directory)
        #expect(sums.status == 0 && sums.stdout.contains("containerd: OK") && sums.stdout.contains("etcd: OK"), "\(sums)")

        do {
            _ = try BinariesBuild.fillContainerd(version: "v2.0.0", directory: directory, cache: Self.cache)
            Issue.record("containerd v2.0.0 was taken from Debian")
        } catch let error as BinariesError {
            #expect(error.code == .unavailable)
            #expect(error.message.hasPrefix("containerd v2.0.0 is not in Debian: ") && error.message.contains("containerd v1.6.20")
                    && error.message.contains("Debian trixie has containerd v1.7.24"), "\(error.message)")
            #expect(error.fix?.contains("set containerdVersion: v1.6.20 or v1.7.24") == true, "\(String(describing: error.fix))")
        }
        #expect(BinaryVersions(directory: directory).load()["containerd"]?.version == "1.6.20~ds1", "nothing was placed")
    }

    /// The command passes the file's containerdVersion and runcVersion through: a release Debian does
    /// not have stops `binaries build` before anything is built or placed.
    @Test("binaries build for a containerd or runc Debian does not have is an error naming what Debian has and the field, before anything is placed",
          .enabled(if: geteuid() == 0, "needs root: hardway's apt state is under /var/cache/hardway; run .ci/run or scripts/test as root"))
    func unavailableRuntimeVersions() throws {
        let directory = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lab = try String(contentsOfFile: Scratch.example("lab"), encoding: .utf8)
        let cases: [(String, [String])] = [
            ("containerdVersion: v2.0.0", ["containerd v2.0.0 is not in Debian", "containerd v1.6.20", "Debian trixie has containerd v1.7.24",
                                           "set containerdVersion: v1.6.20 or v1.7.24"]),
            ("runcVersion: v1.1.12", ["runc v1.1.12 cannot be taken from Debian", "runc v1.1.5", "set runcVersion: v1.1.5"]),
        ]
        for (line, words) in cases {
            try Scratch.write(lab.replacingOccurrences(of: "etcdVersion: v3.4.23", with: "etcdVersion: v3.4.23\n\(line)"), to: "\(directory)/other.yaml")
            let run = try Program.hardway(["binaries", "build", "-f", "other.yaml", "--dir", "out"], in: directory)
            #expect(run.status == 1, "\(line): \(run)")
            for word in words { #expect(run.stderr.contains(word), "\(line): \(word) missing from \(run.stderr)") }
            #expect(!FileManager.default.fileExists(atPath: "\(directory)/out/binaries"), "\(line): nothing was placed")
        }
    }
}

import Foundation
import Testing
import ClusterModel
import Remote
import Render
import Shell
import Phases
import TestSupport

/// What a restore decides before and after it stops anything, on scripted hosts.
@Suite("etcd snapshot restore: checked before anything stops, put back when it fails")
struct SnapshotRestoreTests {
    /// Three stacked members, two workers; every host answers what a restore asks.
    func cluster(freeKilobytes: Int = 50_000_000, secretsUnder keys: [String] = ["key2"], failRestoreOn failing: String? = nil) throws -> (EtcdSnapshot, [String: ScriptedHost], String) {
        let resolution = ClusterResolver.resolve(text: Fixture.base)
        let cluster = try #require(resolution.cluster)
        var hosts: [String: ScriptedHost] = [:]
        let pairs = keys.enumerated().map { index, key in
            #"{"key":"\#(Base64.encode("/registry/secrets/default/s\(index)"))","value":"\#(Base64.encode("k8s:enc:aescbc:v1:\(key):…"))"}"#
        }
        for machine in cluster.hosts {
            let host = ScriptedHost.node(machine.name, address: machine.address.description)
            host.on({ $0.hasPrefix("df -P -k /var/lib") }) { _, _ in
                ExecResult(status: 0, stdout: "/dev/vda 100000000 1000 \(freeKilobytes) 1% /\n", stderr: "")
            }
            host.on({ $0.hasPrefix("mkdir -p -m 0700") }) { _, _ in ExecResult(status: 0, stdout: "", stderr: "") }
            host.on({ $0.contains("snapshot status") }) { _, _ in
                ExecResult(status: 0, stdout: #"{"hash":1,"revision":42,"totalKey":900,"totalSize":2000000}"#, stderr: "")
            }
            host.on({ $0.contains("census-XXXXXX") }) { _, _ in
                ExecResult(status: 0, stdout: #"{"header":{"revision":42},"kvs":[\#(pairs.joined(separator: ","))],"count":\#(pairs.count)}"#, stderr: "")
            }
            host.on({ $0.hasPrefix("systemctl stop") || $0.hasPrefix("systemctl start") || $0.hasPrefix("systemctl try-restart") || $0.hasPrefix("rm -f") }) { _, _ in
                ExecResult(status: 0, stdout: "", stderr: "")
            }
            host.on({ $0.contains("snapshot restore") && !$0.contains("census") }) { _, host in
                ExecResult(status: host.name == failing ? 1 : 0, stdout: "", stderr: host.name == failing ? "no space left on device" : "")
            }
            host.on({ $0.contains("/var/lib/etcd.failed-restore-") }) { _, _ in ExecResult(status: 0, stdout: "", stderr: "") }
            hosts[machine.name] = host
        }
        let snapshot = EtcdSnapshot(cluster: cluster, hosts: hosts.mapValues { $0 as any RemoteHost }, progress: { _ in })
        let directory = try TemporaryDirectory.make("hardway-restore")
        let file = "\(directory)/lab-etcd.db"
        try Data(repeating: 7, count: 4096).write(to: URL(fileURLWithPath: file))
        return (snapshot, hosts, file)
    }

    static let key2 = StoredKey.encrypted(provider: "aescbc", name: "key2")
    static let key1 = StoredKey.encrypted(provider: "aescbc", name: "key1")

    func stops(_ hosts: [String: ScriptedHost]) -> [String] {
        hosts.values.flatMap { host in host.commands.filter { $0.hasPrefix("systemctl stop") }.map { "\(host.name): \($0)" } }
    }

    @Test("secrets under a key the ring lacks: refused before anything stops, naming the key and the retired file that keeps it")
    func unreadableKeysAreRefused() throws {
        var (snapshot, hosts, file) = try cluster(secretsUnder: ["key1", "key1", "key2"])
        snapshot.timeout = 2
        let keys = EtcdSnapshot.Keys(readable: [Self.key2], retired: [Self.key1: "/lab/secrets/retired/keys-20261202T100000Z.json"])
        let error = #expect(throws: PhaseError.self) { try snapshot.restore(from: file, keys: keys) }
        #expect(error?.message.contains("2 secrets in \(file) are stored under aescbc:key1") == true, "\(String(describing: error))")
        #expect(error?.fix.contains("keys-20261202T100000Z.json") == true && error?.fix.contains("restore-key -f <cluster file> key1") == true)
        #expect(stops(hosts).isEmpty, "nothing stopped: \(stops(hosts))")
        #expect(hosts["master-0"]!.commands.contains { $0.hasPrefix("rm -f") && $0.contains("/var/lib/hardway/restore-") }, "the copies are removed")
    }

    @Test("a member without twice the snapshot's size free: refused before anything is copied")
    func tooLittleRoom() throws {
        let (snapshot, hosts, file) = try cluster(freeKilobytes: 6)
        let error = #expect(throws: PhaseError.self) { try snapshot.restore(from: file, keys: .init(readable: [Self.key2])) }
        #expect(error?.message.contains("less than twice the snapshot's") == true && error?.host == "master-0")
        #expect(hosts.values.allSatisfy { $0.uploads.isEmpty } && stops(hosts).isEmpty)
    }

    @Test("a member whose restore fails: every member is put back on its previous data and started, and the error says where each data is")
    func failedRestoreRollsBack() throws {
        var (snapshot, hosts, file) = try cluster(failRestoreOn: "master-1")
        snapshot.timeout = 2
        let error = #expect(throws: PhaseError.self) { try snapshot.restore(from: file, keys: .init(readable: [Self.key2])) }
        #expect(error?.message.contains("every member was put back on its previous data and started") == true, "\(String(describing: error))")
        #expect(error?.message.contains("no space left on device") == true)
        #expect(error?.fix.contains("/var/lib/etcd.failed-restore-") == true)
        for member in ["master-0", "master-1", "master-2"] {
            let rollBack = hosts[member]!.commands.first { $0.contains("/var/lib/etcd.failed-restore-") }
            #expect(rollBack?.contains("mv /var/lib/etcd.before-restore-") == true, "\(member) is put back")
            #expect(rollBack?.contains("systemctl start --no-block etcd") == true)
        }
        #expect(hosts["master-0"]!.commands.contains("systemctl start kube-apiserver kube-controller-manager kube-scheduler"))
    }
}

/// The script that reads a snapshot's secrets, run against Debian's etcd on this box.
@Suite("the keys of a snapshot's secrets, read by a throwaway etcd", .serialized)
struct SnapshotKeysTests {
    @Test("secrets written under two keys and one in plain are each read with the key they name; nothing is left behind")
    func census() throws {
        guard let etcd = Exec.find("etcd"), let etcdctl = Exec.find("etcdctl") else {
            Issue.record("etcd and etcdctl are not installed (scripts/test installs etcd-server and etcd-client)")
            return
        }
        let bin = (etcd as NSString).deletingLastPathComponent
        #expect((etcdctl as NSString).deletingLastPathComponent == bin)
        let directory = try TemporaryDirectory.make("hardway-snapshot-keys")
        // A live etcd on loopback ports of its own, with secrets as an API server writes them.
        let client = "http://127.0.0.1:23890"
        let pid = try Exec.spawnSession(etcd, ["--name", "live", "--data-dir", "\(directory)/live", "--listen-client-urls", client,
                                               "--advertise-client-urls", client, "--listen-peer-urls", "http://127.0.0.1:23891",
                                               "--initial-advertise-peer-urls", "http://127.0.0.1:23891", "--initial-cluster", "live=http://127.0.0.1:23891"],
                                        log: "\(directory)/live.log")
        defer { kill(pid, SIGTERM); var status: Int32 = 0; waitpid(pid, &status, 0) }
        let ctl = ["--endpoints=\(client)"]
        let up = Poll.until(timeout: 20, every: 0.2) { (try? Exec.run(etcdctl, ctl + ["endpoint", "health"], environment: ["ETCDCTL_API": "3"]))?.succeeded == true ? true : nil }
        try #require(up == true, "etcd did not start: \(String(describing: try? String(contentsOfFile: "\(directory)/live.log", encoding: .utf8)))")
        for (name, value) in [("a", "k8s:enc:aescbc:v1:key1:\u{1}x"), ("b", "k8s:enc:aescbc:v1:key2:\u{2}y"), ("c", "k8s\u{0}plain")] {
            let put = try Exec.run(etcdctl, ctl + ["put", "/registry/secrets/default/\(name)"], input: value, environment: ["ETCDCTL_API": "3"])
            #expect(put.succeeded, "\(put)")
        }
        _ = try Exec.run(etcdctl, ctl + ["put", "/registry/configmaps/default/x", "k8s:enc:aescbc:v1:key9:z"], environment: ["ETCDCTL_API": "3"])
        let saved = try Exec.run(etcdctl, ctl + ["snapshot", "save", "\(directory)/snapshot.db"], environment: ["ETCDCTL_API": "3"])
        try #require(saved.succeeded, "\(saved)")

        let census = try SnapshotKeys.census(of: "\(directory)/snapshot.db", on: LocalHost(), bin: bin, work: directory)
        #expect(Dictionary(census.entries.map { ($0.secret, $0.key.description) }) { $1 }
                == ["default/a": "aescbc:key1", "default/b": "aescbc:key2", "default/c": "not encrypted"], "\(census.entries)")
        let left = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("census-") }
        #expect(left.isEmpty, "the scratch etcd's directory is removed: \(left)")
        #expect((try? Exec.run("sh", ["-c", "ss -Htln | grep -c ':23790 '"]))?.stdout.hasPrefix("0") == true, "the throwaway etcd is stopped")
    }
}

import Foundation
import Testing

/// The encryption key rotated to the end on a running cluster of lab machines with the real v1.20.2
/// programs, while this box reads the secrets through the endpoint all the time.
@Suite("encryption keys on a running cluster", .serialized)
struct EncryptionLabTests {
    typealias TestLab = LabMachineTests.TestLab

    /// Every secret's stored prefix as etcd holds it, read on a member with etcdctl key by key (not
    /// through hardway's own reading): `namespace/name → k8s:enc:aescbc:v1:key2:`.
    static func storedPrefixes(_ lab: TestLab, member: String) throws -> [String: String] {
        let script = """
        export ETCDCTL_API=3
        e() { /usr/local/bin/etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/etcd/ca.pem --cert=/etc/etcd/peer.pem --key=/etc/etcd/peer-key.pem "$@"; }
        for k in $(e get --prefix --keys-only /registry/secrets/); do
          printf '%s %s\\n' "$k" "$(e get "$k" --print-value-only | head -c 23 | tr -c 'a-z0-9:' '.')"
        done
        """
        let run = try lab.ssh(member, script)
        try #require(run.status == 0, "\(run)")
        var prefixes: [String: String] = [:]
        for line in run.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2 { prefixes[String(parts[0].dropFirst("/registry/secrets/".count))] = parts[1] }
        }
        return prefixes
    }

    static func keyNames(_ lab: TestLab, _ host: String) throws -> [String] {
        let run = try lab.ssh(host, "grep -o 'name: key[0-9]*' /var/lib/kubernetes/encryption-config.yaml")
        return run.stdout.split(separator: "\n").map { String($0.dropFirst("name: ".count)) }
    }

    @Test("a full key rotation on two controllers and one worker: rotate, apply, rotate, apply, --finish refused, rewrite, every secret under the new key in etcd, --finish, apply; every read through the endpoint succeeds throughout")
    func fullRotation() throws {
        try LabMachineTests.requireRootImage()
        try KubernetesBinariesTests.requireBuild()
        // Two controllers, so apply restarts the API servers one at a time behind HAProxy (etcd has
        // two members, which validate allows with a warning; no etcd member restarts here).
        let lab = try TestLab(hosts: [("lb-0", 5), ("master-0", 10), ("master-1", 11), ("worker-0", 20)])
        defer { lab.cleanUp() }
        let stamp = Stopwatch().stamp
        let up = try lab.hardway(["up"])
        try #require(up.status == 0, "\(up)")
        stamp("up done")

        // Secrets in two namespaces, written under key1.
        let kubectl = try Program.tool("kubectl")
        let kubeconfig = "\(lab.dir)/kubeconfigs/admin-remote.kubeconfig"
        var expected: [String: String] = [:]
        var manifest = "apiVersion: v1\nkind: Namespace\nmetadata: { name: rotation }\n"
        for index in 0..<6 {
            let namespace = index < 4 ? "default" : "rotation"
            expected["\(namespace)/rotation-\(index)"] = "value-\(index)"
            manifest += "---\napiVersion: v1\nkind: Secret\nmetadata: { name: rotation-\(index), namespace: \(namespace), labels: { hardway-test: rotation } }\nstringData: { value: value-\(index) }\n"
        }
        let created = try Program.run(kubectl, ["--kubeconfig", kubeconfig, "apply", "-f", "-"], in: lab.directory, input: manifest)
        try #require(created.status == 0, "\(created)")
        let before = try Self.storedPrefixes(lab, member: "master-0")
        for name in expected.keys { #expect(before[name] == "k8s:enc:aescbc:v1:key1:", "\(name): \(before[name] ?? "missing")") }
        // A snapshot from before the rotation: its secrets are under key1 alone.
        let backup = "\(lab.directory)/before-rotation.db"
        let saved = try lab.hardway(["etcd", "snapshot", "save", "-o", backup])
        try #require(saved.status == 0, "\(saved)")

        let loop = SecretReads.loop(url: "https://\(lab.address(5)):6443/api/v1/secrets?labelSelector=hardway-test%3Drotation", pki: "\(lab.dir)/pki",
                                    expected: expected, directory: lab.directory)
        loop.start()
        defer { _ = loop.stop() }
        func apply(_ step: String) throws {
            let run = try lab.hardway(["apply", "--output", "json"])
            #expect(run.status == 0, "\(step): \(run)")
            let restarts = try ApplyLabTests.totals(run).restarts
            #expect(restarts.contains("master-0/kube-apiserver") && restarts.contains("master-1/kube-apiserver"), "\(step): \(restarts)")
            // One controller at a time: master-0 live again before master-1 restarts.
            let order = run.stderr.split(separator: "\n").filter { $0.contains("kube-apiserver /readyz ok") }.map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(order == ["master-0: kube-apiserver /readyz ok", "master-1: kube-apiserver /readyz ok"], "\(step): \(run.stderr)")
            let phases = (try LabMachineTests.json(run)["phases"] as? [[String: Any]] ?? [])
                .map { "\($0["phase"] as? String ?? "?") \(String(format: "%.1f", $0["seconds"] as? Double ?? 0))" }
            stamp("\(step) applied (\(phases.joined(separator: ", "))); reads so far: \(loop.figures())")
        }

        // 1. key2 joins as a read key. Rendered but not applied, the next step waits.
        let added = try lab.hardway(["encryption", "rotate"])
        #expect(added.status == 0 && added.stdout.contains("stage: new-key-readable"), "\(added)")
        #expect(try lab.hardway(["render"]).status == 0)
        let early = try lab.hardway(["encryption", "rotate"])
        #expect(early.status == 1 && early.stderr.contains("the next rotation step waits until every API server runs the key ring's stage new-key-readable")
                && early.stderr.contains("encryption-config.yaml is not the key ring's") && early.stderr.contains("`hardway apply -f"), "\(early)")
        stamp("rotate before apply refused:\n\(early.stderr)")
        try apply("new-key-readable")
        for host in ["master-0", "master-1"] { #expect(try Self.keyNames(lab, host) == ["key1", "key2"], "\(host)") }

        // 2. key2 writes.
        let promoted = try lab.hardway(["encryption", "rotate"])
        #expect(promoted.status == 0 && promoted.stdout.contains("stage: new-key-writing"), "\(promoted)")
        #expect(try lab.hardway(["render"]).status == 0)
        try apply("new-key-writing")
        for host in ["master-0", "master-1"] { #expect(try Self.keyNames(lab, host) == ["key2", "key1"], "\(host)") }

        // 3. --finish is refused while etcd holds secrets under key1, naming the fix.
        let refused = try lab.hardway(["encryption", "rotate", "--finish"])
        #expect(refused.status == 1 && refused.stderr.contains("still stored under another key than the write key aescbc:key2")
                && refused.stderr.contains("aescbc:key1: ") && refused.stderr.contains("`hardway encryption rewrite -f"), "\(refused)")
        let ring = try String(contentsOfFile: "\(lab.dir)/secrets/encryption-keys.json", encoding: .utf8)
        #expect(ring.contains("new-key-writing"), "a refused --finish leaves the ring as it was")
        stamp("--finish refused:\n\(refused.stderr)")

        // 4. rewrite: every secret through the API, then counted in etcd.
        let rewrite = try lab.hardway(["encryption", "rewrite", "--output", "json"])
        #expect(rewrite.status == 0, "\(rewrite)")
        let report = try LabMachineTests.json(rewrite)
        let keys = report["keys"] as? [[String: Any]] ?? []
        let total = report["secrets"] as? Int ?? 0
        #expect(report["underOtherKeys"] as? Int == 0 && total >= expected.count, "\(report)")
        #expect(keys.first { $0["key"] as? String == "aescbc:key2" }?["secrets"] as? Int == total, "\(keys)")
        #expect(keys.first { $0["key"] as? String == "aescbc:key1" }?["secrets"] as? Int == 0, "\(keys)")
        #expect(((report["rewrite"] as? [String: Any])?["rewritten"] as? Int ?? 0) >= expected.count, "\(report)")
        // rotation holds the two secrets made here and its default service account's token.
        #expect(rewrite.stderr.contains("  default: ") && rewrite.stderr.contains("  rotation: 3 rewritten"), "progress per namespace: \(rewrite.stderr)")
        stamp("rewrite: \(total) secrets, \(report["seconds"] ?? "?") s\n\(rewrite.stderr)")

        // etcd, read key by key on the other member: every secret under key2.
        let after = try Self.storedPrefixes(lab, member: "master-1")
        #expect(after.count == total && after.values.allSatisfy { $0 == "k8s:enc:aescbc:v1:key2:" }, "\(after.filter { $0.value != "k8s:enc:aescbc:v1:key2:" })")

        // 5. --finish, then applied: key1 is gone from every controller.
        let finished = try lab.hardway(["encryption", "rotate", "--finish"])
        #expect(finished.status == 0 && finished.stdout.contains("stage: steady"), "\(finished)")
        #expect(finished.stderr.contains("is stored under aescbc:key2"), "\(finished.stderr)")
        #expect(try lab.hardway(["render"]).status == 0)
        try apply("finish")
        for host in ["master-0", "master-1"] { #expect(try Self.keyNames(lab, host) == ["key2"], "\(host)") }

        let (sent, failed, failures) = loop.stop()
        stamp("reads through the endpoint: \(sent) sent, \(failed) failed")
        #expect(sent > 50 && failed == 0, "every read of the secrets through the endpoint succeeds: \(sent) sent, \(failed) failed: \(failures.prefix(5))")

        // After: readable with kubectl from this box, and check passes (a new secret is encrypted).
        let read = try Program.run(kubectl, ["--kubeconfig", kubeconfig, "-n", "rotation", "get", "secret", "rotation-5", "-o", "jsonpath={.data.value}"], in: lab.directory)
        #expect(read.status == 0 && read.stdout == Data("value-5".utf8).base64EncodedString(), "\(read)")
        // Rewriting is harmless once the rotation is over too: everything stays under key2.
        let again = try lab.hardway(["encryption", "rewrite"])
        #expect(again.status == 0 && again.stdout.contains("next: nothing"), "\(again)")
        let key2Row = again.stdout.split(separator: "\n").first { $0.hasPrefix("aescbc:key2") }.map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(key2Row?.count ?? 0 >= 3 && key2Row?[2] == "writes" && !again.stdout.contains("key1"), "\(again.stdout)")
        stamp("rewrite at steady:\n\(again.stdout)")
        let check = try lab.hardway(["check"])
        #expect(check.status == 0, "\(check)")
        let status = try lab.hardway(["encryption", "status"])
        #expect(status.stdout.contains("stage: steady"), "\(status)")

        try restoreFromBeforeTheRotation(lab, backup: backup, apply: apply)
        stamp("restore from before the rotation done")
        try stoppedAPIServer(lab)
        stamp("stopped API server done")
        let down = try lab.hardway(["lab", "down"])
        #expect(down.status == 0, "\(down)")
        #expect(try lab.traces() == [])
        stamp("done")
    }
}

extension EncryptionLabTests {
    /// A snapshot from before a finished rotation: refused before anything stops, naming key1 and
    /// the retired file that keeps it; with key1 back, restored, and its secrets read.
    func restoreFromBeforeTheRotation(_ lab: TestLab, backup: String, apply: (String) throws -> Void) throws {
        let retired = try FileManager.default.contentsOfDirectory(atPath: "\(lab.dir)/secrets/retired")
        #expect(retired.count == 1 && retired[0].hasPrefix("keys-"), "\(retired)")
        let mode = try FileManager.default.attributesOfItem(atPath: "\(lab.dir)/secrets/retired/\(retired[0])")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let refused = try lab.hardway(["etcd", "snapshot", "restore", backup])
        #expect(refused.status == 1 && refused.stderr.contains("stored under aescbc:key1, which the key ring no longer holds")
                && refused.stderr.contains("secrets/retired/\(retired[0])") && refused.stderr.contains("restore-key"), "\(refused)")
        #expect(!refused.stderr.contains("stopping"), "nothing stopped: \(refused.stderr)")
        #expect(try lab.ssh("master-0", "systemctl is-active kube-apiserver etcd").stdout == "active\nactive\n")

        let back = try lab.hardway(["encryption", "restore-key", "key1"])
        #expect(back.status == 0 && back.stdout.contains("stage: new-key-writing"), "\(back)")
        #expect(try lab.hardway(["render"]).status == 0)
        try apply("key1 back")
        for host in ["master-0", "master-1"] { #expect(try Self.keyNames(lab, host) == ["key2", "key1"], "\(host)") }
        let restored = try lab.hardway(["etcd", "snapshot", "restore", backup])
        #expect(restored.status == 0, "\(restored)")
        let kubectl = try Program.tool("kubectl")
        let kubeconfig = "\(lab.dir)/kubeconfigs/admin-remote.kubeconfig"
        let read = try Program.run(kubectl, ["--kubeconfig", kubeconfig, "-n", "rotation", "get", "secret", "rotation-5", "-o", "jsonpath={.data.value}"], in: lab.directory)
        #expect(read.status == 0 && read.stdout == Data("value-5".utf8).base64EncodedString(), "a secret from before the rotation reads: \(read)")
        let prefixes = try Self.storedPrefixes(lab, member: "master-1")
        #expect(prefixes["rotation/rotation-5"] == "k8s:enc:aescbc:v1:key1:", "it is stored as it was: \(prefixes)")
    }

    /// An API server frozen (SIGSTOP) behind the load balancer: check and apply end within their
    /// limits, with an error naming the host, instead of hanging.
    func stoppedAPIServer(_ lab: TestLab) throws {
        let frozen = try lab.ssh("master-0", "kill -STOP $(systemctl show -p MainPID --value kube-apiserver)")
        try #require(frozen.status == 0, "\(frozen)")
        defer { _ = try? lab.ssh("master-0", "kill -CONT $(systemctl show -p MainPID --value kube-apiserver)") }
        var started = Date()
        let check = try lab.hardway(["check"])
        let checkSeconds = Date().timeIntervalSince(started)
        #expect(check.status == 1 && check.stderr.contains("master-0"), "\(check)")
        #expect(checkSeconds < 150, "check ended after \(Int(checkSeconds)) s")
        started = Date()
        let apply = try lab.hardway(["apply", "--until", "control-plane", "--gate-timeout", "20"])
        let applySeconds = Date().timeIntervalSince(started)
        #expect(apply.status == 1 && apply.stderr.contains("control-plane on master-0"), "\(apply)")
        #expect(applySeconds < 150, "apply ended after \(Int(applySeconds)) s")
    }
}

/// Reads of the labelled secrets through the API endpoint with the admin certificate, one new
/// connection each (so HAProxy spreads them over the API servers); a read passes when every
/// expected secret is there with its value.
enum SecretReads {
    static func loop(url: String, pki: String, expected: [String: String], directory: String) -> ProbeLoop {
        let curl = (try? Program.tool("curl")) ?? "/usr/bin/curl"
        let arguments = ["-sS", "--fail-with-body", "--max-time", "10", "--cacert", "\(pki)/ca.pem",
                         "--cert", "\(pki)/admin.pem", "--key", "\(pki)/admin-key.pem", url]
        return ProbeLoop(every: 0.2) { problem(try? Program.run(curl, arguments, in: directory), expected: expected) }
    }

    /// nil when the list holds every expected secret with its value.
    static func problem(_ run: Run?, expected: [String: String]) -> String? {
        guard let run, run.status == 0 else { return "curl: \(run.map { "\($0.status) \($0.stderr.prefix(200))" } ?? "did not run")" }
        guard let list = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
              let items = list["items"] as? [[String: Any]] else { return "not a list: \(run.stdout.prefix(300))" }
        var found: [String: String] = [:]
        for item in items {
            let metadata = item["metadata"] as? [String: Any] ?? [:]
            let value = ((item["data"] as? [String: Any])?["value"] as? String).flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
            found["\(metadata["namespace"] as? String ?? "")/\(metadata["name"] as? String ?? "")"] = value
        }
        return found == expected ? nil : "read \(found), expected \(expected)"
    }
}

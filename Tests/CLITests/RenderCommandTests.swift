import Foundation
import Testing

/// `hardway render`, `encryption` and `kubeconfig admin` as a user runs them.
@Suite struct RenderCommandTests {
    @Test func aSecondRenderChangesNothingAndDiffShowsEditsWithoutWriting() throws {
        let (directory, out) = try RenderedClusterTests.rendered()
        let file = Scratch.example("lab")
        let again = try Program.hardway(["render", "-f", file, "--dir", "out"], in: directory)
        #expect(again.status == 0 && again.stdout.contains("nothing changed"), "\(again)")

        let bridge = "\(out)/nodes/worker-0/etc/cni/net.d/10-bridge.conf"
        let original = try String(contentsOfFile: bridge, encoding: .utf8)
        try Scratch.write(original.replacingOccurrences(of: "10.200.0.0/24", with: "10.99.0.0/24"), to: bridge)
        try Scratch.write("stray\n", to: "\(out)/nodes/worker-0/etc/stray.conf")
        let diff = try Program.hardway(["render", "-f", file, "--dir", "out", "--diff"], in: directory)
        #expect(diff.status == 0, "\(diff)")
        #expect(diff.stdout.contains("--- a/nodes/worker-0/etc/cni/net.d/10-bridge.conf"), "\(diff.stdout)")
        #expect(diff.stdout.contains("-    \"ranges\": [[{ \"subnet\": \"10.99.0.0/24\" }]],"), "\(diff.stdout)")
        #expect(diff.stdout.contains("+    \"ranges\": [[{ \"subnet\": \"10.200.0.0/24\" }]],"), "\(diff.stdout)")
        #expect(diff.stdout.contains("+++ /dev/null") && diff.stderr.contains("2 files would change; nothing written"), "\(diff)")
        #expect(try String(contentsOfFile: bridge, encoding: .utf8).contains("10.99.0.0/24"), "--diff writes nothing")

        let repair = try Program.hardway(["render", "-f", file, "--dir", "out", "-o", "json"], in: directory)
        let report = try JSONSerialization.jsonObject(with: Data(repair.stdout.utf8)) as? [String: Any]
        let changes = (report?["changes"] as? [[String: String]])?.map { "\($0["change"]!) \($0["path"]!)" }.sorted()
        #expect(changes == ["changed nodes/worker-0/etc/cni/net.d/10-bridge.conf", "removed nodes/worker-0/etc/stray.conf"], "\(repair)")
        #expect(try String(contentsOfFile: bridge, encoding: .utf8) == original)
        #expect(!FileManager.default.fileExists(atPath: "\(out)/nodes/worker-0/etc/stray.conf"))
        // Key material never shows in a diff.
        try Scratch.write("tampered\n", to: "\(out)/nodes/worker-0/var/lib/kubelet/kubelet-key.pem")
        let secret = try Program.hardway(["render", "-f", file, "--dir", "out", "--diff"], in: directory)
        #expect(secret.stdout.contains("secret content changed (not shown)") && !secret.stdout.contains("PRIVATE KEY"), "\(secret)")
    }

    /// What the file-by-file comparison must still see, and what an interrupted run leaves.
    @Test func aRenderRestoresModesRemovesLeftoversAndKeepsItsDirectoriesPrivate() throws {
        let (directory, out) = try RenderedClusterTests.rendered()
        let file = Scratch.example("lab")
        var info = stat()
        for root in ["nodes", "kubeconfigs", "manifests"] {
            #expect(stat("\(out)/\(root)", &info) == 0 && info.st_mode & 0o777 == 0o700, "\(root) is 0700 after a first render")
        }
        let key = "\(out)/nodes/worker-0/var/lib/kubelet/kubelet-key.pem"
        #expect(chmod(key, 0o644) == 0)
        // A file a render wrote as a temporary name, when it was stopped before renaming it.
        let leftover = "\(out)/nodes/worker-1/etc/.hardway-tmp-kubernetes.conf-1234-5678"
        try Scratch.write("half a file", to: leftover)
        let diff = try Program.hardway(["render", "-f", file, "--dir", "out", "--diff"], in: directory)
        #expect(diff.stdout.contains("--- a/nodes/worker-0/var/lib/kubelet/kubelet-key.pem") && diff.stderr.contains("1 file would change"), "\(diff)")
        #expect(FileManager.default.fileExists(atPath: leftover), "--diff removes nothing")

        let again = try Program.hardway(["render", "-f", file, "--dir", "out", "-o", "json"], in: directory)
        let report = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any]
        let changes = (report?["changes"] as? [[String: String]])?.map { "\($0["change"]!) \($0["path"]!)" }
        #expect(changes == ["changed nodes/worker-0/var/lib/kubelet/kubelet-key.pem"], "\(again)")
        #expect(stat(key, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(!FileManager.default.fileExists(atPath: leftover), "an interrupted run's temporary file is removed")
        #expect(try Program.hardway(["render", "-f", file, "--dir", "out"], in: directory).stdout.contains("nothing changed"))
    }

    @Test func renderNeedsAPKIThatFitsTheClusterFile() throws {
        let directory = try Scratch.directory()
        let file = Scratch.example("lab")
        let none = try Program.hardway(["render", "-f", file, "--dir", "out"], in: directory)
        #expect(none.status == 1 && none.stderr == "error: there is no PKI in out/pki; run `hardway pki issue -f \(file) --dir out` first\n", "\(none)")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/out/nodes"))

        _ = try Program.hardway(["pki", "issue", "-f", file, "--dir", "out"], in: directory)
        let edited = "\(directory)/cluster.yaml"
        try Scratch.write(try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "  port: 6443\n", with: "  port: 6443\n  extraSANs: [api.lab.example]\n"), to: edited)
        let stale = try Program.hardway(["render", "-f", edited, "--dir", "out"], in: directory)
        #expect(stale.status == 1 && stale.stderr.contains("does not fit the cluster file") && stale.stderr.contains("kube-apiserver")
                && stale.stderr.contains("hardway pki issue -f \(edited) --dir out"), "\(stale)")
    }

    @Test func theEncryptionKeyIsMadeOnceAndRotatedStepByStep() throws {
        let (directory, out) = try RenderedClusterTests.rendered()
        let file = Scratch.example("lab")
        let ringPath = "\(out)/secrets/encryption-keys.json"
        let first = try String(contentsOfFile: ringPath, encoding: .utf8)
        var info = stat()
        #expect(stat(ringPath, &info) == 0 && info.st_mode & 0o777 == 0o600)
        _ = try Program.hardway(["render", "-f", file, "--dir", "out"], in: directory)
        #expect(try String(contentsOfFile: ringPath, encoding: .utf8) == first, "a second render keeps the key")
        let config = "\(out)/nodes/master-0/var/lib/kubernetes/encryption-config.yaml"

        func rotate(_ extra: [String] = []) throws -> Run { try Program.hardway(["encryption", "rotate", "-f", file, "--dir", "out"] + extra, in: directory) }
        func render() throws { #expect(try Program.hardway(["render", "-f", file, "--dir", "out"], in: directory).status == 0) }
        func keyOrder() throws -> [String] {
            try String(contentsOfFile: config, encoding: .utf8).split(separator: "\n").filter { $0.contains("- name: key") }
                .map { String($0.split(separator: " ").last!) }
        }
        #expect(try keyOrder() == ["key1"])
        let added = try rotate()
        #expect(added.status == 0 && added.stdout.contains("stage: new-key-readable"), "\(added)")
        try render()
        #expect(try keyOrder() == ["key1", "key2"], "the new key reads first, key1 still writes")
        let early = try rotate(["--finish"])
        #expect(early.status == 1 && early.stderr.contains("no rotation is waiting to be finished"), "\(early)")
        #expect(try rotate().stdout.contains("stage: new-key-writing"))
        try render()
        #expect(try keyOrder() == ["key2", "key1"], "key2 writes, key1 still reads")
        let busy = try rotate()
        #expect(busy.status == 1 && busy.stderr.contains("--finish"), "\(busy)")
        #expect(try rotate(["--finish"]).status == 0)
        try render()
        #expect(try keyOrder() == ["key2"])
        let status = try Program.hardway(["encryption", "status", "-f", file, "--dir", "out", "-o", "json"], in: directory)
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(json?["stage"] as? String == "steady" && (json?["keys"] as? [[String: Any]])?.count == 1, "\(status)")

        // A damaged ring stops the render; it is never silently replaced.
        try Scratch.write("{ not json", to: ringPath)
        let broken = try Program.hardway(["render", "-f", file, "--dir", "out"], in: directory)
        #expect(broken.status == 1 && broken.stderr.contains("is not a readable key ring"), "\(broken)")
        #expect(try String(contentsOfFile: ringPath, encoding: .utf8) == "{ not json")
    }

    @Test func rewriteNeedsAnAppliedControlPlane() throws {
        let (directory, _) = try RenderedClusterTests.rendered()
        let file = Scratch.example("lab")
        let rewrite = try Program.hardway(["encryption", "rewrite", "-f", file, "--dir", "out"], in: directory)
        #expect(rewrite.status == 1 && rewrite.stderr.hasSuffix("error: the control plane is not applied yet: etcd holds no secret to rewrite; run `hardway apply -f \(file) --dir out` first\n"), "\(rewrite)")
    }

    @Test func kubeconfigAdminWritesAndMergesWithoutLosingOtherClusters() throws {
        let (directory, _) = try RenderedClusterTests.rendered()
        let file = Scratch.example("lab")
        let target = "\(directory)/home/.kube/config"
        let kubectl = try Program.tool("kubectl")
        let written = try Program.hardway(["kubeconfig", "admin", "-f", file, "--dir", "out", "--kubeconfig", target], in: directory)
        #expect(written.status == 0, "\(written)")
        let view = try Program.run(kubectl, ["config", "view", "--kubeconfig", target, "-o", "jsonpath={.current-context} {.clusters[0].cluster.server} {.users[0].name}"], in: directory)
        #expect(view.stdout == "lab https://10.240.0.5:6443 admin@lab", "\(view)")

        let other = """
        apiVersion: v1
        kind: Config
        clusters:
          - name: other
            cluster: { server: "https://192.0.2.1:6443" }
        users:
          - name: other-user
            user: { token: abc }
        contexts:
          - name: other
            context: { cluster: other, user: other-user }
        current-context: other

        """
        try Scratch.write(other, to: target)
        let refused = try Program.hardway(["kubeconfig", "admin", "-f", file, "--dir", "out", "--kubeconfig", target], in: directory)
        #expect(refused.status == 1 && refused.stderr.contains("--merge"), "\(refused)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == other)
        let merged = try Program.hardway(["kubeconfig", "admin", "-f", file, "--dir", "out", "--kubeconfig", target, "--merge"], in: directory)
        #expect(merged.status == 0, "\(merged)")
        let contexts = try Program.run(kubectl, ["config", "get-contexts", "--kubeconfig", target, "-o", "name"], in: directory)
        #expect(contexts.stdout.split(separator: "\n").sorted() == ["lab", "other"], "\(contexts)")
        let current = try Program.run(kubectl, ["config", "current-context", "--kubeconfig", target], in: directory)
        #expect(current.stdout == "lab\n")
        let twice = try Program.hardway(["kubeconfig", "admin", "-f", file, "--dir", "out", "--kubeconfig", target, "--merge"], in: directory)
        let users = try Program.run(kubectl, ["config", "view", "--kubeconfig", target, "-o", "jsonpath={.users[*].name}"], in: directory)
        #expect(twice.status == 0 && users.stdout.split(separator: " ").sorted() == ["admin@lab", "other-user"], "merging again replaces, never duplicates: \(users)")
        var info = stat()
        #expect(stat(target, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(stat("\(directory)/home/.kube", &info) == 0 && info.st_mode & 0o777 == 0o700, "a directory it made is private")
    }

    @Test("kubeconfig admin never changes an existing directory's mode, and a bare file name is a file here")
    func kubeconfigAdminLeavesDirectoriesAlone() throws {
        let (directory, _) = try RenderedClusterTests.rendered()
        let file = Scratch.example("lab")
        let shared = "\(directory)/shared"
        mkdir(shared, 0o755)
        chmod(shared, 0o1777)
        let written = try Program.hardway(["kubeconfig", "admin", "-f", file, "--dir", "out", "--kubeconfig", "\(shared)/a.conf"], in: directory)
        #expect(written.status == 0, "\(written)")
        var info = stat()
        #expect(stat(shared, &info) == 0 && info.st_mode & 0o7777 == 0o1777, "the existing directory keeps its mode")
        let bare = try Program.hardway(["kubeconfig", "admin", "-f", file, "--dir", "out", "--kubeconfig", "lab.conf"], in: directory)
        #expect(bare.status == 0 && FileManager.default.fileExists(atPath: "\(directory)/lab.conf"), "\(bare)")
    }
}

import Foundation
import Testing

/// Upgrades on the lab example's cluster (three stacked controllers behind HAProxy, two workers),
/// with the real programs: Debian 13's etcd 3.5.16 and containerd 1.7.24, which `binaries build`
/// fetches through hardway's own apt state and which run on Debian 12.
extension ClusterLabTests {
    static let kubectl = "/usr/local/bin/kubectl --kubeconfig /etc/kubernetes/admin.kubeconfig"

    /// The cluster file with `from` replaced by `to` (each must be there).
    static func edited(_ text: String, _ from: String, _ to: String) throws -> String {
        try #require(text.contains(from), "the lab file has no \(from)")
        return text.replacingOccurrences(of: from, with: to)
    }

    /// A refused change: apply and plan exit non-zero naming `expected`, before any host is reached
    /// (no host's log grows) and with applied.json as it was.
    static func refusedUntouched(_ lab: TestLab, file: String, expected: String) throws {
        let original = try String(contentsOfFile: lab.file, encoding: .utf8)
        defer { try? Scratch.write(original, to: lab.file) }
        try Scratch.write(file, to: lab.file)
        let record = FileManager.default.contents(atPath: "\(lab.dir)/applied.json")
        let logs = try FileManager.default.contentsOfDirectory(atPath: "\(lab.dir)/logs").sorted()
        let sizes = try logs.map { try FileManager.default.attributesOfItem(atPath: "\(lab.dir)/logs/\($0)")[.size] as? Int ?? -1 }
        for command in [["plan"], ["apply"]] {
            let run = try lab.hardway(command)
            #expect(run.status != 0 && run.stderr.contains(expected), "\(command): \(run)")
        }
        #expect(FileManager.default.contents(atPath: "\(lab.dir)/applied.json") == record, "applied.json is as it was")
        let after = try logs.map { try FileManager.default.attributesOfItem(atPath: "\(lab.dir)/logs/\($0)")[.size] as? Int ?? -1 }
        #expect(after == sizes, "no host was reached: \(logs)")
    }

    /// etcd 3.4.23 → 3.5.16 and containerd 1.6.20 → 1.7.24 in one apply, while reads go through the
    /// load balancer and linearizable reads to etcd: none fails; every member then reports 3.5.16,
    /// the data written before is there, the snapshot was kept, both nodes came back Ready on the
    /// new containerd one at a time, a 2-replica deployment has its 2 pods Running. A skipped minor
    /// and a downgrade are refused without a host touched; a second apply changes nothing.
    static func upgradeEtcdAndContainerd(_ lab: TestLab) throws {
        let pki = "\(lab.dir)/pki"
        let original = try String(contentsOfFile: lab.file, encoding: .utf8)

        // Kubernetes 1.20 → 1.22 skips 1.21: refused, nothing touched.
        try refusedUntouched(lab, file: try edited(original, "kubernetesVersion: v1.20.2", "kubernetesVersion: v1.22.0"), expected: "skips Kubernetes 1.21")

        // Data before, and a deployment whose pods must move while each worker is drained.
        #expect(try lab.ssh("master-0", "\(kubectl) create configmap before-upgrade --from-literal=etcd=v3.4.23").status == 0)
        let image = try lab.ssh("worker-0", "ctr -n k8s.io images ls -q | grep '^localhost/hardway/busybox:' | head -n 1").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(!image.isEmpty, "the lab's busybox image is imported on worker-0")
        let deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: upgrade-keeps, namespace: default }
        spec:
          replicas: 2
          selector: { matchLabels: { app: upgrade-keeps } }
          template:
            metadata: { labels: { app: upgrade-keeps } }
            spec:
              containers:
                - name: sleeper
                  image: \(image)
                  imagePullPolicy: Never
                  command: ["/bin/sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
        """
        #expect(try lab.ssh("master-0", "\(kubectl) apply -f - <<'EOF'\n\(deployment)\nEOF").status == 0)
        let rolled = try lab.ssh("master-0", "\(kubectl) rollout status deployment/upgrade-keeps --timeout=120s")
        try #require(rolled.status == 0, "\(rolled)")

        // The new versions in the file; binaries build fetches them from Debian 13.
        let upgraded = try edited(original, "etcdVersion: v3.4.23", "etcdVersion: v3.5.16\ncontainerdVersion: v1.7.24\n")
        try Scratch.write(upgraded, to: lab.file)
        let build = try lab.hardway(["binaries", "build"])
        try #require(build.status == 0, "\(build)")

        let plan = try lab.hardway(["plan"])
        #expect(plan.status == 0, "\(plan)")
        #expect(plan.stdout.contains("upgrade, in this order:"), "\(plan.stdout)")
        for step in ["master-0: etcd v3.4.23 → v3.5.16", "master-2: etcd v3.4.23 → v3.5.16", "worker-1: containerd v1.6.20 → v1.7.24", "snapshot etcd to "] {
            #expect(plan.stdout.contains(step), "plan names \(step): \(plan.stdout)")
        }

        let endpoints = [10, 11, 12].map { "https://\(lab.address($0)):2379" }.joined(separator: ",")
        let quorum = ProbeLoop.quorumReads(endpoints: endpoints, trust: "\(pki)/etcd-ca.pem", clients: ["\(pki)/kube-apiserver-etcd-client"], directory: lab.directory)
        let reads = ProbeLoop.endpointReads(url: "https://\(lab.address(5)):6443/api/v1/namespaces/default", pki: pki)
        quorum.start()
        reads.start()
        let started = Date()
        let apply = try lab.hardway(["apply", "--output", "json"])
        let seconds = Date().timeIntervalSince(started)
        let etcdReads = quorum.stop()
        let endpointReads = reads.stop()
        try #require(apply.status == 0, "\(apply)")
        #expect(etcdReads.sent > 20 && ProbeLoop.quorumHeld(etcdReads), "linearizable etcd reads during the upgrade: \(etcdReads.sent) sent, \(etcdReads.failed) failed (\(etcdReads.failures))")
        // Through the load balancer, a read may meet an API server whose etcd request was cut: an
        // etcd 3.4 member stopping over TLS ends in-flight gRPC calls with "missing content-type",
        // and the leader's turn fails in-flight quorum reads with "leader changed"; kube-apiserver
        // 1.20 answers those with 500 and does not retry them (the README's upgrades section). The
        // load balancer itself must lose none: no refused, reset or unanswered connection.
        #expect(endpointReads.sent > 20 && endpointReads.failed <= 3, "reads through the load balancer during the upgrade: \(endpointReads.sent) sent, \(endpointReads.failed) failed (\(endpointReads.failures))")
        #expect(endpointReads.failures.allSatisfy { $0.contains(" s: 500 ") }, "only API servers' answers from a cut etcd request: \(endpointReads.failures)")
        let restarts = try ApplyLabTests.totals(apply).restarts
        #expect(Set(restarts) == ["master-0/etcd", "master-1/etcd", "master-2/etcd", "worker-0/containerd", "worker-1/containerd"], "\(restarts)")
        // One member at a time, the leader last; one node at a time.
        for member in ["master-0", "master-1", "master-2"] { #expect(apply.stderr.contains("  \(member): etcd 3.5.16, quorum read ok"), "\(apply.stderr)") }
        let order = ["worker-0: cordoned and drained", "worker-0: uncordoned", "worker-1: cordoned and drained", "worker-1: uncordoned"]
        let positions = order.compactMap { apply.stderr.range(of: $0)?.lowerBound }
        #expect(positions.count == 4 && positions == positions.sorted(), "workers one at a time: \(apply.stderr)")

        // Every member says 3.5.16; the data is there; the snapshot was kept.
        let status = try lab.ssh("master-0", "ETCDCTL_API=3 /usr/local/bin/etcdctl --endpoints=\(endpoints) --cacert=/etc/etcd/ca.pem --cert=/etc/etcd/peer.pem --key=/etc/etcd/peer-key.pem endpoint status")
        #expect(status.status == 0 && status.stdout.components(separatedBy: ", 3.5.16, ").count == 4, "\(status)")
        #expect(try lab.ssh("master-1", "\(kubectl) get configmap before-upgrade -o jsonpath='{.data.etcd}'").stdout == "v3.4.23")
        let backups = (try? FileManager.default.contentsOfDirectory(atPath: "\(lab.dir)/backups")) ?? []
        #expect(backups.contains { $0.hasPrefix("\(lab.name)-etcd-v3.4.23-before-upgrade-") && $0.hasSuffix("Z.db") }, "\(backups)")

        // Both nodes Ready on containerd 1.7.24, schedulable, and the deployment's 2 pods Running.
        let nodes = try lab.ssh("master-0", "\(kubectl) get nodes -o jsonpath='{range .items[*]}{.metadata.name} {.status.nodeInfo.containerRuntimeVersion} {.spec.unschedulable}{\"\\n\"}{end}'")
        for worker in ["worker-0", "worker-1"] {
            let line = nodes.stdout.split(separator: "\n").first { $0.hasPrefix("\(worker) ") } ?? ""
            #expect(line.hasPrefix("\(worker) containerd://1.7.24") && !line.hasSuffix("true"), "\(worker) runs containerd 1.7.24 and is uncordoned: \(nodes.stdout)")
        }
        let pods = try lab.ssh("master-0", "\(kubectl) rollout status deployment/upgrade-keeps --timeout=60s && \(kubectl) get pods -l app=upgrade-keeps --field-selector=status.phase=Running -o name | wc -l")
        #expect(pods.stdout.hasSuffix("2\n"), "\(pods)")

        let check = try lab.hardway(["check"])
        #expect(check.status == 0, "after the upgrade: \(check)")
        try noOpApply(lab)

        // Back to 3.4.23: a downgrade, refused with nothing touched.
        try refusedUntouched(lab, file: try edited(upgraded, "etcdVersion: v3.5.16", "etcdVersion: v3.4.23"), expected: "hardway does not downgrade etcd")

        // The figures the README's day-two section quotes.
        let report = try #require(JSONSerialization.jsonObject(with: Data(apply.stdout.utf8)) as? [String: Any])
        let phases = Dictionary((report["phases"] as? [[String: Any]] ?? []).map { ($0["phase"] as? String ?? "", $0["seconds"] as? Double ?? 0) }) { $1 }
        print(String(format: "upgrade figures: apply %.1f s; etcd %.1f s for 3 members (%.1f s each); workers %.1f s for 2 nodes (%.1f s each); linearizable etcd reads %d sent, %d failed; reads through the load balancer %d sent, %d failed",
                     seconds, phases["etcd"] ?? 0, (phases["etcd"] ?? 0) / 3, phases["workers"] ?? 0, (phases["workers"] ?? 0) / 2,
                     etcdReads.sent, etcdReads.failed, endpointReads.sent, endpointReads.failed))
    }
}

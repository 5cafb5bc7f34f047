import Foundation
import Testing

/// etcd's membership changed from the cluster file on a running cluster of lab machines with the
/// real programs: a stacked controller removed (etcd at 2 healthy members), a change that would lose
/// quorum and one of two members at once refused, then another controller added (3).
@Suite("etcd members come and go with the cluster file", .serialized)
struct EtcdMembershipLabTests {
    typealias TestLab = LabMachineTests.TestLab

    /// `member list` as etcd has it, read on `host` with its own client certificate.
    static func members(_ lab: TestLab, on host: String) throws -> [String] {
        let run = try lab.ssh(host, "ETCDCTL_API=3 /usr/local/bin/etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/etcd/ca.pem --cert=/etc/etcd/peer.pem --key=/etc/etcd/peer-key.pem member list")
        try #require(run.status == 0, "\(run)")
        return run.stdout.split(separator: "\n").map(String.init)
    }

    /// How many of the members at `lasts` (the addresses' last numbers) call themselves healthy.
    static func healthy(_ lab: TestLab, on host: String, _ lasts: [Int]) throws -> Int {
        let endpoints = lasts.map { "https://\(lab.address($0)):2379" }.joined(separator: ",")
        let run = try lab.ssh(host, "ETCDCTL_API=3 /usr/local/bin/etcdctl --endpoints=\(endpoints) --cacert=/etc/etcd/ca.pem --cert=/etc/etcd/peer.pem --key=/etc/etcd/peer-key.pem endpoint health 2>&1")
        return run.stdout.components(separatedBy: " is healthy").count - 1
    }

    static func etcdServers(_ lab: TestLab, on host: String) throws -> String {
        try lab.ssh(host, "grep -o 'etcd-servers=[^ ]*' /etc/systemd/system/kube-apiserver.service").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("a stacked controller removed (etcd at 2 healthy members), two changes at once and a quorum loss refused, another controller added (3); reads through the endpoint and quorum reads throughout")
    func controllerRemovedThenAdded() throws {
        try LabMachineTests.requireRootImage()
        try KubernetesBinariesTests.requireBuild()
        let lab = try TestLab(hosts: [("lb-0", 5), ("master-0", 10), ("master-1", 11), ("master-2", 12), ("worker-0", 20)])
        defer { lab.cleanUp() }
        let stamp = Stopwatch().stamp
        let up = try lab.hardway(["up"])
        try #require(up.status == 0, "\(up)")
        stamp("up done")
        let pki = "\(lab.dir)/pki"
        let original = try String(contentsOfFile: lab.file, encoding: .utf8)
        let master2 = "  - { name: master-2, address: \(lab.address(12)), roles: [controller] }\n"
        let master3 = "  - { name: master-3, address: \(lab.address(13)), roles: [controller] }\n"
        #expect(original.contains(master2))

        // master-2 removed while this box reads through the endpoint and from etcd with quorum
        // (linearizable reads against the two members that stay).
        let withoutMaster2 = original.replacingOccurrences(of: master2, with: "")
        try Scratch.write(withoutMaster2, to: lab.file)
        for step in [["pki", "issue"], ["render"]] {
            let run = try lab.hardway(step)
            try #require(run.status == 0, "\(step): \(run)")
        }
        let reads = ProbeLoop.endpointReads(url: "https://\(lab.address(5)):6443/api/v1/namespaces/default", pki: pki)
        let quorum = ProbeLoop.quorumReads(endpoints: [10, 11].map { "https://\(lab.address($0)):2379" }.joined(separator: ","),
                                           trust: "\(pki)/etcd-ca.pem", clients: ["\(pki)/kube-apiserver-etcd-client"], directory: lab.directory)
        reads.start()
        quorum.start()
        let removal = try lab.hardway(["apply", "--output", "json"])
        let (sent, failed, failures) = reads.stop()
        let (quorumSent, quorumFailed, quorumFailures) = quorum.stop()
        stamp("master-2 removed: \(sent) reads through the endpoint, \(failed) failed (\(failures.last ?? "-")); \(quorumSent) quorum reads, \(quorumFailed) failed")
        try #require(removal.status == 0, "\(removal)")
        #expect(removal.stderr.contains("master-2: removed from etcd by master-0"), "\(removal.stderr)")
        #expect(ProbeLoop.quorumHeld((quorumSent, quorumFailed, quorumFailures)), "quorum reads while master-2 left: \(quorumSent) sent, \(quorumFailed) failed (\(quorumFailures))")
        // Leaving, master-2 hands etcd's leadership over when it holds it, and kube-apiserver 1.20 does
        // not retry a read that a leader change cut (HTTP 500; the README's upgrade section): one CI run
        // saw 3 in 218. More, or any other failure, fails the test.
        #expect(sent > 10 && failed <= 3 && failures.allSatisfy { $0.hasSuffix(": 500 ") }, "reads through the endpoint while master-2 left: \(sent) sent, \(failed) failed (\(failures))")
        let two = try Self.members(lab, on: "master-0")
        #expect(two.count == 2 && two.allSatisfy { $0.contains(", started, master-0, ") || $0.contains(", started, master-1, ") }, "\(two)")
        #expect(try Self.healthy(lab, on: "master-0", [10, 11]) == 2)
        let left = try lab.ssh("master-2", "systemctl is-active etcd kube-apiserver; ls -d /var/lib/etcd.removed-*/member; test -e /var/lib/etcd && echo data-still-there")
        #expect(left.stdout.hasPrefix("inactive\ninactive\n/var/lib/etcd.removed-") && !left.stdout.contains("data-still-there"), "\(left)")
        for host in ["master-0", "master-1"] {
            #expect(try Self.etcdServers(lab, on: host) == "etcd-servers=https://\(lab.address(10)):2379,https://\(lab.address(11)):2379", "\(host)")
        }
        let checked = try lab.hardway(["check", "--output", "json"])
        #expect(checked.status == 0, "\(checked)")
        let quorumRow = ApplyLabTests.row(try ClusterLabTests.rows(checked), "etcd", "quorum")?["detail"] as? String ?? ""
        #expect(quorumRow.hasPrefix("2/2 healthy"), "\(quorumRow)")

        // master-3 added while master-1's etcd is stopped: the member left has no quorum alone, so
        // none is healthy, short of the 2 that 3 members need; refused before master-3 gets a file.
        let withMaster3 = withoutMaster2.replacingOccurrences(of: "  - { name: worker-0,", with: master3 + "  - { name: worker-0,")
        func prepare(_ text: String, labUp up: Bool) throws {
            try Scratch.write(text, to: lab.file)
            for step in (up ? [["lab", "up"]] : []) + [["pki", "issue"], ["render"]] {
                let run = try lab.hardway(step)
                try #require(run.status == 0, "\(step): \(run)")
            }
        }
        try prepare(withMaster3, labUp: true)
        #expect(try lab.ssh("master-1", "systemctl stop etcd").status == 0)
        let short = try lab.hardway(["apply"])
        #expect(short.status == 1 && short.stderr.contains("adding master-3 to etcd would leave 3 members with 0 healthy, short of the 2 that quorum needs"), "\(short)")
        #expect(try lab.ssh("master-3", "test -e /etc/etcd/bootstrap.env").status != 0, "refused before master-3 got its files")
        #expect(try lab.ssh("master-1", "systemctl start etcd").status == 0)

        // master-2 back and master-3 new at once: two changes, refused before a host is reached.
        try prepare(original.replacingOccurrences(of: master2, with: master2 + master3), labUp: false)
        let both = try lab.hardway(["apply"])
        #expect(both.status == 1 && both.stderr.contains("by 2 members at once (adding master-2, master-3)") && both.stderr.contains("one member per apply"), "\(both)")
        try prepare(withMaster3, labUp: false)
        stamp("refusals shown")

        // master-3 added: it joins as existing, etcd has 3 healthy members, every API server lists it.
        let joinReads = ProbeLoop.endpointReads(url: "https://\(lab.address(5)):6443/api/v1/namespaces/default", pki: pki)
        joinReads.start()
        let addition = try lab.hardway(["apply", "--output", "json"])
        let joined = joinReads.stop()
        stamp("master-3 added: \(joined.sent) reads through the endpoint, \(joined.failed) failed (\(joined.failures.last ?? "-"))")
        #expect(joined.sent > 10 && joined.failed == 0, "reads through the endpoint while master-3 joined: \(joined)")
        try #require(addition.status == 0, "\(addition)")
        #expect(addition.stderr.contains("master-3: added to etcd by master-0") && addition.stderr.contains("master-3: joined etcd; 3/3 members healthy"), "\(addition.stderr)")
        let three = try Self.members(lab, on: "master-3")
        #expect(three.count == 3 && three.allSatisfy { $0.contains(", started, ") } && three.contains { $0.contains(", master-3, https://\(lab.address(13)):2380, ") }, "\(three)")
        #expect(try Self.healthy(lab, on: "master-3", [10, 11, 13]) == 3)
        let join = try lab.ssh("master-3", "cat /etc/etcd/join.env")
        #expect(join.stdout.contains("INITIAL_CLUSTER_STATE=existing") && join.stdout.contains("master-3=https://\(lab.address(13)):2380"), "\(join)")
        for host in ["master-0", "master-1", "master-3"] {
            #expect(try Self.etcdServers(lab, on: host).hasSuffix(",https://\(lab.address(13)):2379"), "\(host) lists master-3's etcd")
        }
        let after = try lab.hardway(["check"])
        #expect(after.status == 0, "\(after)")
        try ClusterLabTests.noOpApply(lab)
        try ClusterLabTests.tearDown(lab)
    }
}

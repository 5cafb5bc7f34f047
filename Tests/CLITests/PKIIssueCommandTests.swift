import Testing
import Foundation

/// `hardway pki issue`, `inspect` and `bench pki` as a user runs them.
@Suite struct PKIIssueCommandTests {
    @Test func anInvalidClusterFileWritesNothing() throws {
        let directory = try Scratch.directory()
        try Scratch.write(try String(contentsOfFile: Scratch.example("lab"), encoding: .utf8)
            .replacingOccurrences(of: "address: 10.240.0.11", with: "address: 10.240.0.10"), to: "\(directory)/cluster.yaml")
        let run = try Program.hardway(["pki", "issue"], in: directory)
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: cluster.yaml:48: hosts[2].address: 10.240.0.10 is already the address of hosts[1]"))
        #expect(run.stderr.hasSuffix("error: cluster.yaml has 1 error; fix them and run again (`hardway validate -f cluster.yaml` lists them)\n"))
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/lab"))
    }

    @Test func summaryTableAndSecondRun() throws {
        let directory = try Scratch.directory()
        #expect(try Program.hardway(["init"], in: directory).status == 0)
        let first = try Program.hardway(["pki", "issue"], in: directory)
        #expect(first.status == 0, "\(first)")
        let lines = first.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("NAME") == true && lines.first?.contains("RESULT") == true)
        #expect(lines.contains { $0.hasPrefix("kubelet-worker-1 ") && $0.contains("issued") && $0.contains("system:node:worker-1") })
        #expect(lines.contains { $0.hasPrefix("20 certificates in lab/pki: 20 issued in ") })
        let second = try Program.hardway(["pki", "issue"], in: directory)
        #expect(second.stdout.contains("20 certificates in lab/pki: 20 kept in "))
    }

    @Test func blockedCertificatesExitOneWithTheFix() throws {
        let directory = try Scratch.directory()
        #expect(try Program.hardway(["init"], in: directory).status == 0)
        #expect(try Program.hardway(["pki", "issue"], in: directory).status == 0)
        #expect(try Program.hardway(["pki", "issue", "--dir", "other"], in: directory).status == 0)
        try FileManager.default.removeItem(atPath: "\(directory)/lab/pki/kube-proxy.pem")
        try FileManager.default.copyItem(atPath: "\(directory)/other/pki/kube-proxy.pem", toPath: "\(directory)/lab/pki/kube-proxy.pem")
        let run = try Program.hardway(["pki", "issue"], in: directory)
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: kube-proxy: lab/pki/kube-proxy.pem was not signed by lab/pki/ca.pem (its issuer is \"CN=Kubernetes, O=Kubernetes, OU=hardway lab, L=England, ST=London, C=UK\"); run `hardway pki issue --renew kube-proxy` to replace it with one from this CA"), "\(run)")
        let fixed = try Program.hardway(["pki", "issue", "--renew", "kube-proxy", "-o", "json"], in: directory)
        #expect(fixed.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(fixed.stdout.utf8)) as? [String: Any])
        let entries = try #require(report["certificates"] as? [[String: Any]])
        #expect(entries.first { $0["name"] as? String == "kube-proxy" }?["result"] as? String == "reissued")
        #expect((report["backupDirectory"] as? String)?.hasPrefix("lab/pki/replaced/") == true)
    }

    @Test func inspectShowsEachCertificate() throws {
        let directory = try Scratch.directory()
        #expect(try Program.hardway(["pki", "issue", "-f", Scratch.example("lab"), "--dir", "lab"], in: directory).status == 0)
        let table = try Program.hardway(["pki", "inspect", "lab/pki"], in: directory)
        #expect(table.status == 0)
        #expect(table.stdout.hasPrefix("NAME"))
        #expect(table.stdout.contains("kubelet-worker-0") && table.stdout.contains("ecdsa-p256") && table.stdout.contains("364"))
        let json = try Program.hardway(["pki", "inspect", "lab/pki/kube-apiserver.pem", "-o", "json"], in: directory)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 1)
        #expect(entries[0]["usages"] as? String == "server")
        #expect((entries[0]["sans"] as? [String])?.contains("IP Address:10.32.0.1") == true)
        #expect(entries[0]["daysLeft"] as? Int == 364)
        let missing = try Program.hardway(["pki", "inspect", "nowhere"], in: directory)
        #expect(missing.status == 1 && missing.stderr.hasPrefix("error: nowhere does not exist;"))
    }

    @Test func benchPrintsBothFiguresAndTheirRatio() throws {
        let directory = try Scratch.directory()
        let run = try Program.hardway(["bench", "pki", "--workers", "2", "--key-algorithm", "ecdsa-p256", "-o", "json"], in: directory)
        #expect(run.status == 0, "\(run)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(report["certificates"] as? Int == 20)
        #expect((report["hardwaySeconds"] as? Double ?? 0) > 0)
        #expect((report["cfsslSeconds"] as? Double ?? 0) > 0)
        #expect((report["ratio"] as? Double ?? 0) > 0)
    }
}

import Foundation
import Testing

/// `hardway pki rotate-ca` on a cluster not applied yet: the three steps are file work alone, each
/// refused out of its order, and every render along the way holds what the step says.
@Suite struct RotateCACommandTests {
    static func certificates(_ pem: String) -> Int { pem.components(separatedBy: "-----BEGIN CERTIFICATE-----").count - 1 }

    @Test("begin, sign, finish on files: the renders trust both CAs, then sign with the new one, then hold it alone; --finish early, twice and an unknown --ca are refused")
    func stepsOnFiles() throws {
        let directory = try Scratch.directory()
        #expect(try Program.hardway(["init"], in: directory).status == 0)
        #expect(try Program.hardway(["pki", "issue"], in: directory).status == 0)
        let pki = "\(directory)/lab/pki"
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        let oldCA = read("\(pki)/ca.pem"), serviceAccountKey = read("\(pki)/service-account-key.pem")

        let unknown = try Program.hardway(["pki", "rotate-ca", "--ca", "root"], in: directory)
        #expect(unknown.status == 1 && unknown.stderr.contains("--ca root: this cluster has no CA of that name") && unknown.stderr.contains("etcd-ca"), "\(unknown)")
        let nothing = try Program.hardway(["pki", "rotate-ca", "--finish"], in: directory)
        #expect(nothing.status == 1 && nothing.stderr.contains("no CA rotation is under way"), "\(nothing)")

        // 1. Beside the old: every trust point holds both; the controller manager signs from its own file.
        let begun = try Program.hardway(["pki", "rotate-ca", "--ca", "ca", "-o", "json"], in: directory)
        #expect(begun.status == 0, "\(begun)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(begun.stdout.utf8)) as? [String: Any])
        #expect(report["stage"] as? String == "trust-both" && (report["cas"] as? [[String: Any]])?.map { $0["ca"] as? String } == ["ca"], "\(report)")
        let early = try Program.hardway(["pki", "rotate-ca", "--finish"], in: directory)
        #expect(early.status == 1 && early.stderr.contains("the new CAs do not sign yet") && early.stderr.contains("`hardway pki rotate-ca -f cluster.yaml`"), "\(early)")
        #expect(try Program.hardway(["render"], in: directory).status == 0)
        let nodes = "\(directory)/lab/nodes"
        #expect(Self.certificates(read("\(nodes)/worker-0/var/lib/kubernetes/ca.pem")) == 2)
        #expect(read("\(nodes)/master-0/var/lib/kubernetes/ca-signer.pem") == oldCA)
        #expect(Self.certificates(read("\(nodes)/master-0/etc/etcd/ca.pem")) == 1, "etcd-ca is not rotated")

        // 2. The new CA signs every leaf again; the old one, retired, is still trusted.
        let signing = try Program.hardway(["pki", "rotate-ca"], in: directory)
        #expect(signing.status == 0 && signing.stdout.contains("stage: new-leaves") && signing.stdout.contains("certificates issued again from the new CAs"), "\(signing)")
        #expect(read("\(pki)/ca.pem") != oldCA && read("\(pki)/service-account-key.pem") == serviceAccountKey, "the service account's key signs every token: kept")
        let verify = try Program.run(try Program.tool("openssl"), ["verify", "-CAfile", "\(pki)/ca.pem", "\(pki)/admin.pem", "\(pki)/kubelet-worker-0.pem"], in: directory)
        #expect(verify.status == 0, "\(verify)")
        #expect(try Program.hardway(["pki", "issue"], in: directory).stdout.contains("kept"), "pki issue has nothing left to do")
        #expect(try Program.hardway(["render"], in: directory).status == 0)
        #expect(read("\(nodes)/worker-0/var/lib/kubernetes/ca.pem").hasPrefix(read("\(pki)/ca.pem")), "the new CA first")

        // 3. Alone.
        let finished = try Program.hardway(["pki", "rotate-ca", "--finish"], in: directory)
        #expect(finished.status == 0 && finished.stdout.contains("stage: finished"), "\(finished)")
        #expect(!FileManager.default.fileExists(atPath: "\(pki)/rotation.json"))
        let retired = try FileManager.default.contentsOfDirectory(atPath: "\(pki)/retired").sorted()
        #expect(retired.count == 2 && read("\(pki)/retired/\(retired.first { !$0.hasSuffix("-key.pem") } ?? "")") == oldCA, "\(retired)")
        #expect(try Program.hardway(["render"], in: directory).status == 0)
        #expect(read("\(nodes)/worker-0/var/lib/kubernetes/ca.pem") == read("\(pki)/ca.pem"))
        #expect(!FileManager.default.fileExists(atPath: "\(nodes)/master-0/var/lib/kubernetes/ca-signer.pem"), "render removes the signer's own file")
        let again = try Program.hardway(["pki", "rotate-ca", "--finish"], in: directory)
        #expect(again.status == 1 && again.stderr.contains("no CA rotation is under way"), "\(again)")
    }
}

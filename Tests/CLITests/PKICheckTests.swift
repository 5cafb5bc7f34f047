import Testing
import Foundation

/// `hardway pki check` on a PKI made by hand with cfssl, the way the tutorials make one, with the
/// tutorials' faults seeded in.
@Suite struct PKICheckTests {
    @Test func findsTheSeededFaultsInACfsslPKI() throws {
        let cfssl = try Program.tool("cfssl"), cfssljson = try Program.tool("cfssljson")
        let root = try Scratch.directory()
        let certs = "\(root)/certs", other = "\(root)/other"
        for directory in [certs, other] { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let names = { (o: String) in #"[{"C": "IE", "L": "Cork", "O": "\#(o)", "OU": "CA", "ST": "Cork Co."}]"# }
        let files: [(String, String)] = [
            ("ca-config.json", #"{"signing": {"default": {"expiry": "8760h"}, "profiles": {"kubernetes": {"usages": ["signing", "key encipherment", "server auth", "client auth"], "expiry": "8760h"}, "short": {"usages": ["signing", "client auth"], "expiry": "1m"}}}}"#),
            ("ca-csr.json", #"{"CN": "Kubernetes", "key": {"algo": "rsa", "size": 2048}, "names": \#(names("Kubernetes"))}"#),
            ("kubernetes-csr.json", #"{"CN": "kubernetes", "key": {"algo": "rsa", "size": 2048}, "names": \#(names("Kubernetes"))}"#),
            ("admin-csr.json", #"{"CN": "admin", "key": {"algo": "rsa", "size": 2048}, "names": \#(names("system:masters"))}"#),
            ("worker-0-csr.json", #"{"CN": "system:node:worker-0", "key": {"algo": "rsa", "size": 2048}, "names": \#(names("system:node"))}"#),
            ("kube-proxy-csr.json", #"{"CN": "system:kube-proxy", "key": {"algo": "rsa", "size": 2048}, "names": \#(names("system:node-proxier"))}"#),
            ("kube-scheduler-csr.json", #"{"CN": "system:kube-scheduler", "key": {"algo": "rsa", "size": 2048}, "names": \#(names("system:kube-scheduler"))}"#),
        ]
        for (name, text) in files {
            try Scratch.write(text, to: "\(certs)/\(name)")
            try Scratch.write(text, to: "\(other)/\(name)")
        }
        let sign = { (name: String, profile: String, hostname: String?) throws -> Run in
            try Program.shell("\(cfssl) gencert -ca=ca.pem -ca-key=ca-key.pem -config=ca-config.json -profile=\(profile)"
                              + (hostname.map { " -hostname=\($0)" } ?? "") + " \(name)-csr.json | \(cfssljson) -bare \(name.replacingOccurrences(of: "-csr", with: ""))", in: certs)
        }
        #expect(try Program.shell("\(cfssl) gencert -initca ca-csr.json | \(cfssljson) -bare ca", in: certs).status == 0)
        // Tutorial 000: the API server certificate with ${loadbalanccer_ip} typo'd (empty) and no service IP.
        #expect(try sign("kubernetes", "kubernetes", "mastera,masterb,loadbalancer,10.0.1.5,10.0.2.4,,127.0.0.1,kubernetes.default").status == 0)
        #expect(try sign("admin", "kubernetes", nil).status == 0)
        #expect(try sign("worker-0", "kubernetes", "worker-0,10.0.0.20").status == 0)      // O system:node, not system:nodes
        #expect(try sign("kube-proxy", "kubernetes", nil).status == 0)
        #expect(try sign("kube-scheduler", "kubernetes", nil).status == 0)
        try Program.shell("cp admin-csr.json expired-csr.json", in: certs)
        #expect(try sign("expired", "short", nil).status == 0)                              // 1 minute from 5 minutes ago
        // A certificate from another CA.
        #expect(try Program.shell("\(cfssl) gencert -initca ca-csr.json | \(cfssljson) -bare ca && "
                                  + "\(cfssl) gencert -ca=ca.pem -ca-key=ca-key.pem -config=ca-config.json -profile=kubernetes admin-csr.json | \(cfssljson) -bare intruder", in: other).status == 0)
        try FileManager.default.copyItem(atPath: "\(other)/intruder.pem", toPath: "\(certs)/intruder.pem")
        // And one from a CA with another name.
        try Scratch.write(#"{"CN": "Other CA", "key": {"algo": "ecdsa", "size": 256}}"#, to: "\(other)/other-ca-csr.json")
        #expect(try Program.shell("\(cfssl) gencert -initca other-ca-csr.json | \(cfssljson) -bare other-ca && "
                                  + "\(cfssl) gencert -ca=other-ca.pem -ca-key=other-ca-key.pem -config=ca-config.json -profile=kubernetes admin-csr.json | \(cfssljson) -bare stranger", in: other).status == 0)
        try FileManager.default.copyItem(atPath: "\(other)/stranger.pem", toPath: "\(certs)/stranger.pem")
        // kube-proxy's key swapped with the scheduler's.
        try FileManager.default.removeItem(atPath: "\(certs)/kube-proxy-key.pem")
        try FileManager.default.copyItem(atPath: "\(certs)/kube-scheduler-key.pem", toPath: "\(certs)/kube-proxy-key.pem")

        let run = try Program.hardway(["pki", "check", "certs", "--service-ip", "10.32.0.1", "--endpoint", "10.0.0.100"], in: root)
        #expect(run.status == 1, "\(run)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        func has(_ prefix: String) -> Bool { lines.contains { $0.hasPrefix(prefix) } }
        #expect(has("error: certs/kubernetes.pem: has an empty name (DNS:) among its subject alternative names;"), "\(run)")
        #expect(has("error: certs/kubernetes.pem: lacks kubernetes, kubernetes.default.svc, kubernetes.default.svc.cluster.local:"), "\(run)")
        #expect(has("error: certs/kubernetes.pem: lacks the kubernetes service IP 10.32.0.1"), "\(run)")
        #expect(has("error: certs/kubernetes.pem: lacks the API endpoint 10.0.0.100"), "\(run)")
        #expect(has("error: certs/worker-0.pem: CN is system:node:worker-0 but O is system:node: the Node authorizer only accepts kubelets in the group system:nodes;"), "\(run)")
        #expect(has("error: certs/expired.pem: expired on "), "\(run)")
        #expect(has("error: certs/intruder.pem: names certs/ca.pem as its issuer, but another key with the same name signed it;"), "\(run)")
        #expect(has("error: certs/stranger.pem: was not signed by any CA in this directory (its issuer is \"CN=Other CA\");"), "\(run)")
        #expect(has("error: certs/kube-proxy-key.pem: is not the private key of certs/kube-proxy.pem;"), "\(run)")
        for sound in ["admin", "ca", "kube-scheduler"] {
            #expect(!lines.contains { $0.contains(": certs/\(sound).pem:") || $0.contains(": certs/\(sound)-key.pem:") }, "\(sound) is sound: \(run)")
        }
        #expect(lines.last == "checked 9 certificates in certs: 9 errors, 0 warnings")

        let json = try Program.hardway(["pki", "check", "certs", "--output", "json"], in: root)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["ok"] as? Bool == false)
        let codes = Set(((report["findings"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String })
        #expect(codes.isSuperset(of: ["empty-san", "kubelet-organization", "expired", "foreign-issuer", "key-mismatch", "apiserver-sans"]), "\(codes)")
    }

    @Test func hardwaysOwnPKIPassesWithTheClusterFile() throws {
        let directory = try Scratch.directory()
        #expect(try Program.hardway(["init"], in: directory).status == 0)
        #expect(try Program.hardway(["pki", "issue"], in: directory).status == 0)
        let run = try Program.hardway(["pki", "check", "-f", "cluster.yaml"], in: directory)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == "checked 20 certificates in lab/pki: 0 errors, 0 warnings\n")
        // The same files without the cluster file: the unchecked service IP is mentioned, not failed.
        let bare = try Program.hardway(["pki", "check", "lab/pki"], in: directory)
        #expect(bare.status == 0 && bare.stdout.contains("note: lab/pki/kube-apiserver.pem: the service IP and the load balancer address were not checked"))
    }
}

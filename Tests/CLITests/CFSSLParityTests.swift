import Testing
import Foundation

/// The tutorials' cfssl files, fed to Debian's cfssl and to `hardway pki sign`: same certificates.
@Suite struct CFSSLParityTests {
    static let caConfig = """
    {
      "signing": {
        "default": { "expiry": "8760h" },
        "profiles": {
          "kubernetes": { "usages": ["signing", "key encipherment", "server auth", "client auth"], "expiry": "8760h" },
          "client": { "usages": ["signing", "client auth"], "expiry": "720h" }
        }
      }
    }
    """

    static func names(_ o: String) -> String {
        #"[{"C": "UK", "L": "England", "O": "\#(o)", "OU": "DAREY.IO DEVOPS", "ST": "London"}]"#
    }

    /// name → CSR JSON, as in the tutorials (RSA 2048 everywhere but one ECDSA file).
    static let requests: [(String, String)] = [
        ("ca", #"{"CN": "Kubernetes", "key": {"algo": "rsa", "size": 2048}, "names": \#(names("Kubernetes"))}"#),
        ("admin", #"{"CN": "admin", "key": {"algo": "rsa", "size": 2048}, "names": \#(names("system:masters"))}"#),
        ("master-kubernetes", #"{"CN": "kubernetes", "hosts": ["127.0.0.1", "172.31.0.10", "172.31.0.11", "ip-172-31-0-10", "ip-172-31-0-11", "#
            + #""kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"], "#
            + #""key": {"algo": "rsa", "size": 2048}, "names": \#(names("Kubernetes"))}"#),
        ("worker-0", #"{"CN": "system:node:ip-172-31-0-20", "key": {"algo": "rsa", "size": 2048}, "names": \#(names("system:nodes"))}"#),
        ("kube-proxy", #"{"CN": "system:kube-proxy", "key": {"algo": "ecdsa", "size": 256}, "names": \#(names("system:node-proxier"))}"#),
        ("service-account", #"{"CN": "service-accounts", "key": {"algo": "rsa", "size": 2048}, "names": \#(names("Kubernetes"))}"#),
    ]

    /// (name, profile, -hostname)
    static let signings: [(String, String, String?)] = [
        ("admin", "kubernetes", nil), ("master-kubernetes", "kubernetes", nil), ("worker-0", "kubernetes", "ip-172-31-0-20,3.15.1.2,172.31.0.20"),
        ("kube-proxy", "client", nil), ("service-account", "kubernetes", nil),
    ]

    @Test func hardwaySignMatchesCfsslGencert() throws {
        let cfssl = try Program.tool("cfssl"), cfssljson = try Program.tool("cfssljson")
        let root = try Scratch.directory()
        for tool in ["cfssl", "hardway"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(tool)", withIntermediateDirectories: true)
            try Scratch.write(Self.caConfig, to: "\(root)/\(tool)/ca-config.json")
            for (name, json) in Self.requests { try Scratch.write(json, to: "\(root)/\(tool)/\(name)-csr.json") }
        }
        let cfsslDir = "\(root)/cfssl", hardwayDir = "\(root)/hardway"
        var run = try Program.shell("\(cfssl) gencert -initca ca-csr.json | \(cfssljson) -bare ca", in: cfsslDir)
        #expect(run.status == 0, "\(run)")
        run = try Program.hardway(["pki", "sign", "--initca", "ca-csr.json"], in: hardwayDir)
        #expect(run.status == 0 && run.stdout.hasPrefix("wrote ca.pem, ca-key.pem, ca.csr"), "\(run)")

        for (name, profile, hostname) in Self.signings {
            let host = hostname.map { " -hostname=\($0)" } ?? ""
            run = try Program.shell("\(cfssl) gencert -ca=ca.pem -ca-key=ca-key.pem -config=ca-config.json -profile=\(profile)\(host) \(name)-csr.json | \(cfssljson) -bare \(name)", in: cfsslDir)
            #expect(run.status == 0, "\(run)")
            var arguments = ["pki", "sign", "--ca", "ca.pem", "--ca-key", "ca-key.pem", "--config", "ca-config.json", "--profile", profile]
            if let hostname { arguments += ["--hostname", hostname] }
            run = try Program.hardway(arguments + ["\(name)-csr.json"], in: hardwayDir)
            #expect(run.status == 0, "\(run)")
        }

        for name in ["ca"] + Self.signings.map(\.0) {
            for suffix in [".pem", "-key.pem", ".csr"] {
                #expect(FileManager.default.fileExists(atPath: "\(hardwayDir)/\(name)\(suffix)"), "cfssljson's file \(name)\(suffix)")
            }
            let reference = try OpenSSLView(file: "\(name).pem", in: cfsslDir)
            let ours = try OpenSSLView(file: "\(name).pem", in: hardwayDir)
            #expect(ours.subject == reference.subject, "\(name) subject")
            #expect(ours.sans == reference.sans, "\(name) SANs")
            #expect(ours.keyUsage == reference.keyUsage, "\(name) key usage")
            #expect(ours.extendedKeyUsage == reference.extendedKeyUsage, "\(name) extended key usage")
            #expect(ours.basicConstraints == reference.basicConstraints, "\(name) basic constraints")
            #expect(ours.validity == reference.validity, "\(name) validity period")
            #expect(abs(ours.notBefore.timeIntervalSince(reference.notBefore)) <= 120, "\(name) starts when cfssl's does (5 minutes back)")
            #expect(ours.publicKey == reference.publicKey, "\(name) key type")
            #expect(ours.hasSubjectKeyIdentifier == reference.hasSubjectKeyIdentifier && ours.hasAuthorityKeyIdentifier == reference.hasAuthorityKeyIdentifier, "\(name) key identifiers")
            let keyHeader = { (dir: String) in (try? String(contentsOfFile: "\(dir)/\(name)-key.pem", encoding: .utf8))?.split(separator: "\n").first }
            #expect(keyHeader(hardwayDir) == keyHeader(cfsslDir), "\(name)-key.pem in cfssljson's PEM form")
            #expect(try Program.openssl(["verify", "-CAfile", "ca.pem", "\(name).pem"], in: hardwayDir).status == 0)
        }
        let worker = try OpenSSLView(file: "worker-0.pem", in: hardwayDir)
        #expect(worker.sans == ["DNS:ip-172-31-0-20", "IP Address:3.15.1.2", "IP Address:172.31.0.20"])
        #expect(try OpenSSLView(file: "kube-proxy.pem", in: hardwayDir).validity == 720 * 3600)
    }

    @Test func hardwaySignRefusesWhatCfsslLetsThrough() throws {
        let directory = try Scratch.directory()
        try Scratch.write(Self.caConfig, to: "\(directory)/ca-config.json")
        for (name, json) in Self.requests { try Scratch.write(json, to: "\(directory)/\(name)-csr.json") }
        #expect(try Program.hardway(["pki", "sign", "--initca", "ca-csr.json"], in: directory).status == 0)
        let signing = ["pki", "sign", "--ca", "ca.pem", "--ca-key", "ca-key.pem", "--config", "ca-config.json"]

        // Tutorial 000's typo: ${loadbalanccer_ip} expands to nothing.
        let empty = try Program.hardway(signing + ["--profile", "kubernetes", "--hostname", "mastera,masterb,,127.0.0.1", "master-kubernetes-csr.json"], in: directory)
        #expect(empty.status == 1)
        #expect(empty.stderr.hasPrefix("error: --hostname entry 3 is empty and would become an empty DNS name (DNS:) in the certificate;"))
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/master-kubernetes.pem"), "nothing written")

        let typo = try Program.hardway(signing + ["--profile", "kubernets", "admin-csr.json"], in: directory)
        #expect(typo.status == 1)
        #expect(typo.stderr == "error: ca-config.json has no profile \"kubernets\"; use one of: client, kubernetes\n")

        let wrongKey = try Program.hardway(["pki", "sign", "--ca", "ca.pem", "--ca-key", "nope.pem", "admin-csr.json"], in: directory)
        #expect(wrongKey.status == 1 && wrongKey.stderr.hasPrefix("error: cannot read nope.pem"))

        // Re-signing keeps the previous files.
        #expect(try Program.hardway(signing + ["--profile", "kubernetes", "admin-csr.json"], in: directory).status == 0)
        let before = try String(contentsOfFile: "\(directory)/admin.pem", encoding: .utf8)
        let again = try Program.hardway(signing + ["--profile", "kubernetes", "admin-csr.json"], in: directory)
        #expect(again.stdout.contains("the previous files were copied to"))
        let saved = try FileManager.default.subpathsOfDirectory(atPath: "\(directory)/replaced").filter { $0.hasSuffix("/admin.pem") }
        #expect(saved.count == 1)
        #expect(try String(contentsOfFile: "\(directory)/replaced/\(saved[0])", encoding: .utf8) == before)
    }
}

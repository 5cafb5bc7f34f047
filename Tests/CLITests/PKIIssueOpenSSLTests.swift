import Testing
import Foundation

/// `hardway pki issue` judged by OpenSSL, not by hardway's own parser.
@Suite struct PKIIssueOpenSSLTests {
    /// Issues the lab example (ECDSA) and the two-controllers example (RSA, as the tutorials use).
    static func issued(_ example: String) throws -> String {
        let directory = try Scratch.directory()
        let run = try Program.hardway(["pki", "issue", "-f", Scratch.example(example), "--dir", "out"], in: directory)
        guard run.status == 0 else { throw OpenSSLView.OpenSSLFailure(run: run) }
        return "\(directory)/out/pki"
    }

    static let certificates = ["kube-apiserver", "kube-apiserver-kubelet-client", "kube-apiserver-etcd-client", "etcd-server-master-0",
                               "etcd-peer-master-0", "etcd-server-master-1", "etcd-peer-master-1", "admin", "kubelet-worker-0", "kubelet-worker-1",
                               "kube-proxy", "kube-controller-manager", "kube-scheduler", "service-account"]

    @Test(arguments: ["lab", "two-controllers"])
    func openSSLVerifiesEveryCertificateAgainstItsCA(_ example: String) throws {
        let pki = try Self.issued(example)
        for name in Self.certificates {
            // etcd's certificates and its one client chain to etcd-ca, the others to the cluster CA, never crossed.
            let own = ClusterCertificatesNames.etcd(name) ? "etcd-ca.pem" : "ca.pem"
            let other = own == "ca.pem" ? "etcd-ca.pem" : "ca.pem"
            let run = try Program.openssl(["verify", "-CAfile", own, "\(name).pem"], in: pki)
            #expect(run.status == 0 && run.stdout == "\(name).pem: OK\n", "\(name): \(run)")
            let crossed = try Program.openssl(["verify", "-CAfile", other, "\(name).pem"], in: pki)
            #expect(crossed.status != 0, "\(name) must not chain to \(other)")
        }
        let frontProxy = try Program.openssl(["verify", "-CAfile", "front-proxy-ca.pem", "front-proxy-client.pem"], in: pki)
        #expect(frontProxy.status == 0, "\(frontProxy)")
        let crossed = try Program.openssl(["verify", "-CAfile", "front-proxy-ca.pem", "admin.pem"], in: pki)
        #expect(crossed.status != 0, "the front-proxy CA must not vouch for cluster identities")
        for name in Self.certificates + ["ca", "etcd-ca"] {
            let key = try Program.openssl(["pkey", "-in", "\(name)-key.pem", "-pubout"], in: pki)
            let fromCertificate = try Program.openssl(["x509", "-in", "\(name).pem", "-noout", "-pubkey"], in: pki)
            #expect(key.status == 0 && key.stdout == fromCertificate.stdout, "\(name): openssl reads the key and it matches")
            // The private scalar is in range and gives the public key stored with it (hardway draws EC scalars itself).
            let check = try Program.openssl(["pkey", "-in", "\(name)-key.pem", "-check", "-noout"], in: pki)
            #expect(check.status == 0 && (check.stdout + check.stderr).contains("Key is valid"), "\(name): openssl pkey -check: \(check)")
            let csr = try Program.openssl(["req", "-in", "\(name).csr", "-noout", "-verify"], in: pki)
            #expect(csr.status == 0, "\(name).csr verifies: \(csr)")
        }
    }

    @Test func openSSLReadsSubjectsSANsAndUsages() throws {
        let pki = try Self.issued("two-controllers")
        let ou = "OU=Kubernetes The Hard Way"
        let base = "L=Cork,ST=Cork Co.,C=IE"
        // RFC 2253 prints the name backwards: cfssl's C, ST, L, O, OU, CN as CN, OU, O, L, ST, C.
        let ca = try OpenSSLView(file: "ca.pem", in: pki)
        #expect(ca.subject == "CN=Kubernetes,\(ou),O=Kubernetes,\(base)")
        #expect(ca.basicConstraints == "CA:TRUE")
        #expect(ca.keyUsage == ["Certificate Sign", "CRL Sign"])
        #expect(ca.validity == 87600 * 3600)

        let apiServer = try OpenSSLView(file: "kube-apiserver.pem", in: pki)
        #expect(apiServer.subject == "CN=kubernetes,\(ou),O=Kubernetes,\(base)")
        #expect(apiServer.sans == ["DNS:master-0", "DNS:master-1", "DNS:localhost", "DNS:kubernetes", "DNS:kubernetes.default",
                                   "DNS:kubernetes.default.svc", "DNS:kubernetes.default.svc.cluster", "DNS:kubernetes.default.svc.cluster.local",
                                   "IP Address:192.168.122.10", "IP Address:192.168.122.11", "IP Address:192.168.122.15",
                                   "IP Address:127.0.0.1", "IP Address:10.32.0.1"])
        #expect(apiServer.keyUsage == ["Digital Signature", "Key Encipherment"])
        #expect(apiServer.extendedKeyUsage == ["TLS Web Server Authentication"])
        #expect(apiServer.basicConstraints == "CA:FALSE")
        #expect(apiServer.validity == 8760 * 3600)

        let admin = try OpenSSLView(file: "admin.pem", in: pki)
        #expect(admin.subject == "CN=admin,\(ou),O=system:masters,\(base)")
        #expect(admin.extendedKeyUsage == ["TLS Web Client Authentication"])
        #expect(admin.sans.isEmpty)

        let kubelet = try OpenSSLView(file: "kubelet-worker-1.pem", in: pki)
        #expect(kubelet.subject == "CN=system:node:worker-1,\(ou),O=system:nodes,\(base)")
        #expect(kubelet.sans == ["DNS:worker-1", "IP Address:192.168.122.14"])
        #expect(kubelet.extendedKeyUsage == ["TLS Web Server Authentication", "TLS Web Client Authentication"])

        let etcdPeer = try OpenSSLView(file: "etcd-peer-master-1.pem", in: pki)
        #expect(etcdPeer.sans == ["DNS:master-1", "IP Address:192.168.122.11", "IP Address:127.0.0.1"])
        #expect(etcdPeer.extendedKeyUsage == ["TLS Web Server Authentication", "TLS Web Client Authentication"])

        for (name, cn, o) in [("kube-proxy", "system:kube-proxy", "system:node-proxier"),
                              ("kube-controller-manager", "system:kube-controller-manager", "system:kube-controller-manager"),
                              ("kube-scheduler", "system:kube-scheduler", "system:kube-scheduler")] {
            let view = try OpenSSLView(file: "\(name).pem", in: pki)
            #expect(view.subject == "CN=\(cn),\(ou),O=\(o),\(base)", "\(name)")
            #expect(view.extendedKeyUsage == ["TLS Web Client Authentication"], "\(name)")
        }
        let keyModes = try Program.shell("stat -c '%a %n' *-key.pem | sort -u -k1,1 | cut -d' ' -f1; stat -c %a .", in: pki)
        #expect(keyModes.stdout == "600\n700\n", "keys 0600, directory 0700")
    }

    @Test func mutualTLSWorksWithTheIssuedCertificatesAndFailsWithAnotherCA() throws {
        let pki = try Self.issued("lab")
        let foreign = try Self.issued("lab")
        try FileManager.default.copyItem(atPath: "\(foreign)/admin.pem", toPath: "\(pki)/foreign-admin.pem")
        try FileManager.default.copyItem(atPath: "\(foreign)/admin-key.pem", toPath: "\(pki)/foreign-admin-key.pem")

        let ok = try TLSExchange.run(in: pki, clientCertificate: "admin", verifyName: "kubernetes.default.svc")
        #expect(ok.contains("HTTP/1.0 200 ok"), "admin reaches the API server certificate with hostname checks on: \(ok)")
        let byAddress = try TLSExchange.run(in: pki, clientCertificate: "admin", verifyIP: "10.240.0.5")
        #expect(byAddress.contains("HTTP/1.0 200 ok"), "the load balancer's address is in the certificate: \(byAddress)")
        let rejected = try TLSExchange.run(in: pki, clientCertificate: "foreign-admin", verifyName: "kubernetes")
        #expect(!rejected.contains("200 ok"), "a client certificate from another CA is refused: \(rejected)")
        let wrongName = try TLSExchange.run(in: pki, clientCertificate: "admin", verifyName: "not-the-api.example.com")
        #expect(!wrongName.contains("200 ok"), "a name not in the certificate fails verification: \(wrongName)")
    }
}

/// One TLS exchange on loopback: `openssl s_server` with the kube-apiserver certificate, requiring
/// client certificates from ca.pem, and `openssl s_client` presenting `clientCertificate`.
enum TLSExchange {
    static func run(in pki: String, clientCertificate: String, verifyName: String? = nil, verifyIP: String? = nil) throws -> String {
        let openssl = try Program.tool("openssl")
        for _ in 0..<5 {
            let port = Int.random(in: 20000...60000)
            let server = Process()
            server.executableURL = URL(fileURLWithPath: openssl)
            server.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", "kube-apiserver.pem", "-key", "kube-apiserver-key.pem",
                                "-CAfile", "ca.pem", "-Verify", "1", "-verify_return_error", "-www", "-naccept", "1"]
            server.currentDirectoryURL = URL(fileURLWithPath: pki)
            let log = NSTemporaryDirectory() + "s_server-\(UUID().uuidString)"
            FileManager.default.createFile(atPath: log, contents: nil)
            server.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            server.standardError = server.standardOutput
            server.standardInput = Pipe()
            try server.run()
            defer {
                if server.isRunning { server.terminate() }
                server.waitUntilExit()
                try? FileManager.default.removeItem(atPath: log)
            }
            var ready = false
            for _ in 0..<100 {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                if text.contains("ACCEPT") { ready = true; break }
                if !server.isRunning { break }
                usleep(50_000)
            }
            guard ready else { continue }
            var arguments = ["s_client", "-connect", "127.0.0.1:\(port)", "-cert", "\(clientCertificate).pem", "-key", "\(clientCertificate)-key.pem",
                             "-CAfile", "ca.pem", "-verify_return_error", "-quiet"]
            if let verifyName { arguments += ["-verify_hostname", verifyName, "-servername", verifyName] }
            if let verifyIP { arguments += ["-verify_ip", verifyIP] }
            let client = try Program.run(openssl, arguments, in: pki, input: "GET / HTTP/1.0\r\n\r\n")
            return client.stdout + client.stderr
        }
        throw OpenSSLView.OpenSSLFailure(run: Run(status: -1, stdout: "", stderr: "openssl s_server never listened"))
    }
}

/// Which of the issued files etcd's CA signs (hardway's names).
enum ClusterCertificatesNames {
    static func etcd(_ name: String) -> Bool {
        name.hasPrefix("etcd-server-") || name.hasPrefix("etcd-peer-") || name == "kube-apiserver-etcd-client"
    }
}

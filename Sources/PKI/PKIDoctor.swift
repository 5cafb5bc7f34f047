import Foundation
import X509

/// One problem `pki check` found: which file, what is wrong, what to do.
public struct PKIFinding: Sendable, Codable, Equatable {
    public enum Severity: String, Sendable, Codable { case error, warning, note }

    public var severity: Severity
    /// Stable rule name: `empty-san`, `foreign-issuer`, `kubelet-organization`, ...
    public var code: String
    public var file: String
    public var problem: String
    public var fix: String

    /// `error: pki/admin.pem: expired on 2025-01-01; re-issue it ...` — one line per finding.
    public var line: String { "\(severity.rawValue): \(file): \(problem); \(fix)" }
}

/// What `pki check` knows about the cluster beyond the files, when a cluster file is given.
public struct PKIDoctorContext: Sendable {
    public var serviceIP: String?
    public var endpoint: String?
    public var clusterDomain: String
    /// Whether the directory is hardway's own, so fixes can name `hardway pki issue`.
    public var managedByHardway: Bool
    public var now: Date

    public init(serviceIP: String? = nil, endpoint: String? = nil, clusterDomain: String = "cluster.local",
                managedByHardway: Bool = false, now: Date) {
        self.serviceIP = serviceIP
        self.endpoint = endpoint
        self.clusterDomain = clusterDomain
        self.managedByHardway = managedByHardway
        self.now = now
    }
}

/// A doctor for a directory of PEM files, hardway's or made by hand with cfssl following the
/// tutorials. Each rule is a known way such a PKI breaks a cluster.
public enum PKIDoctor {
    public static let expiryWarning: TimeInterval = 30 * 86_400

    public static func check(_ pems: PEMDirectory, context: PKIDoctorContext) -> [PKIFinding] {
        var findings: [PKIFinding] = []
        func add(_ severity: PKIFinding.Severity, _ code: String, _ file: String, _ problem: String, _ fix: String) {
            findings.append(PKIFinding(severity: severity, code: code, file: DisplayPath.relative(file), problem: problem, fix: fix))
        }
        func reissue(_ name: String) -> String {
            context.managedByHardway
                ? "run `hardway pki issue --renew \(name)`"
                : "re-issue it from its CSR with this directory's CA: `hardway pki sign --ca ca.pem --ca-key ca-key.pem --config ca-config.json --profile kubernetes \(name)-csr.json`"
        }

        struct Entry { var file: String; var name: String; var certificate: Certificate }
        var entries: [Entry] = []
        for file in pems.certificates {
            if let problem = file.problem {
                add(.error, "unreadable", file.path, problem, "replace it with a PEM certificate, or remove it")
                continue
            }
            let base = (file.path as NSString).lastPathComponent
            let name = base.hasSuffix(".pem") || base.hasSuffix(".crt") ? String(base.dropLast(4)) : base
            for certificate in file.certificates { entries.append(Entry(file: file.path, name: name, certificate: certificate)) }
        }
        if entries.isEmpty {
            add(.error, "no-certificates", "(directory)", "no certificates found", "point `hardway pki check` at the directory holding ca.pem and the others")
            return findings
        }

        // A CA is what the directory says is one: CA:TRUE, self-signed, named like a CA, or the issuer of another file.
        let issuerNames = Set(entries.map { $0.certificate.issuer })
        func looksLikeCA(_ entry: Entry) -> Bool {
            entry.name == "ca" || entry.name.hasSuffix("-ca") || entry.certificate.isCertificateAuthority
                || entry.certificate.issuer == entry.certificate.subject
                || (issuerNames.contains(entry.certificate.subject) && entries.contains { $0.certificate.issuer == entry.certificate.subject && $0.certificate.subject != entry.certificate.subject })
        }
        let authorities = entries.filter(looksLikeCA)

        for ca in authorities {
            if !ca.certificate.isCertificateAuthority {
                add(.error, "ca-not-ca", ca.file, "is used as a CA but lacks the CA:TRUE basic constraint, so TLS clients reject what it signed",
                    context.managedByHardway ? "run `hardway pki issue --new-ca`" : "make the CA again with `hardway pki sign --initca ca-csr.json` (or cfssl gencert -initca) and re-issue what it signed")
            }
            if let usage = ca.certificate.keyUsageValue, !usage.keyCertSign {
                add(.error, "ca-key-usage", ca.file, "is used as a CA but its key usage does not allow certificate signing",
                    "make the CA again with keyCertSign (`hardway pki sign --initca ca-csr.json`)")
            }
        }

        for entry in entries {
            let certificate = entry.certificate
            let isAuthority = authorities.contains { $0.file == entry.file && $0.certificate == certificate }

            // Chain to a CA of this directory.
            if !isAuthority || certificate.issuer != certificate.subject {
                let sameName = authorities.filter { $0.certificate.subject == certificate.issuer && $0.certificate != certificate }
                if sameName.contains(where: { CertificateSigner.isSigned(certificate, by: $0.certificate) }) {
                    // chains
                } else if let impostor = sameName.first {
                    add(.error, "foreign-issuer", entry.file, "names \(DisplayPath.relative(impostor.file)) as its issuer, but another key with the same name signed it",
                        reissue(entry.name))
                } else if !isAuthority {
                    let issuer = SubjectName(certificate.issuer).description
                    add(.error, "foreign-issuer", entry.file, "was not signed by any CA in this directory (its issuer is \"\(issuer)\")",
                        reissue(entry.name))
                }
            }

            // Key and certificate belong together.
            if let keyFile = pems.keys[entry.name] {
                if let problem = keyFile.problem {
                    add(.warning, "unreadable-key", keyFile.path, problem, "check it with `openssl pkey -in \(DisplayPath.relative(keyFile.path)) -noout`")
                } else if let key = keyFile.key, key.key.publicKey != certificate.publicKey {
                    add(.error, "key-mismatch", keyFile.path, "is not the private key of \(DisplayPath.relative(entry.file))",
                        "find the matching key, or \(reissue(entry.name)) to get a new pair")
                }
                if keyFile.mode & 0o077 != 0 {
                    add(.warning, "key-permissions", keyFile.path, "can be read by other users (mode \(String(keyFile.mode, radix: 8)))",
                        "run `chmod 600 \(DisplayPath.relative(keyFile.path))`")
                }
            }

            // Validity.
            let left = certificate.notValidAfter.timeIntervalSince(context.now)
            if left <= 0 {
                add(.error, "expired", entry.file, "expired on \(UTCTime.day(certificate.notValidAfter))", isAuthority ? "make a new CA and re-issue what it signed" : reissue(entry.name))
            } else if left < expiryWarning {
                add(.warning, "expiring", entry.file, "expires in \(Int(left / 86_400)) days, on \(UTCTime.day(certificate.notValidAfter))",
                    isAuthority ? "plan a new CA now" : reissue(entry.name))
            }
            if certificate.notValidBefore > context.now.addingTimeInterval(300) {
                add(.error, "not-yet-valid", entry.file, "is not valid before \(UTCTime.day(certificate.notValidBefore)): the clock of the machine that made it was ahead",
                    "fix that machine's clock and \(reissue(entry.name))")
            }

            // Empty SAN entries: the mark of an unset shell variable.
            let sans = certificate.subjectAltNames
            if sans.contains(where: { $0.value.isEmpty }) {
                add(.error, "empty-san", entry.file, "has an empty name (DNS:) among its subject alternative names",
                    "a shell variable was unset or misspelt when it was made (like ${loadbalanccer_ip}); set it and \(reissue(entry.name))")
            }

            checkKubelet(entry.name, entry.file, certificate, sans: sans, add: add, reissue: reissue)
            if isAPIServer(entry.name, certificate, sans: sans) {
                checkAPIServer(entry.name, entry.file, certificate, sans: sans, context: context, add: add, reissue: reissue)
            }
        }

        // etcd trusts the CA that signed its certificates for every client: when that CA also
        // signed a kubelet's or the admin's certificate, those can read and write all of etcd.
        let leaves = entries.filter { entry in !authorities.contains { $0.file == entry.file && $0.certificate == entry.certificate } }
        let etcdLeaves = leaves.filter { isEtcd($0.name) }
        for ca in authorities {
            let signed = etcdLeaves.filter { CertificateSigner.isSigned($0.certificate, by: ca.certificate) }
            guard let first = signed.first else { continue }
            let others = leaves.filter { !isEtcd($0.name) && CertificateSigner.isSigned($0.certificate, by: ca.certificate) }
            guard !others.isEmpty else { continue }
            let shown = others.prefix(3).map { DisplayPath.relative($0.file) }.joined(separator: ", ") + (others.count > 3 ? " and \(others.count - 3) more" : "")
            let hasEtcdCA = entries.contains { $0.name == "etcd-ca" }
            let fix = context.managedByHardway
                ? (hasEtcdCA && ca.name == "etcd-ca"
                    ? "etcd-ca must be a CA of its own: move pki/etcd-ca.pem and pki/etcd-ca-key.pem aside, then run `hardway pki issue`, `hardway render` and `hardway apply` (etcd moves over one member at a time)"
                    : "run `hardway pki issue` (it makes etcd-ca and re-issues etcd's certificates under it), then `hardway render` and `hardway apply` (etcd moves over one member at a time)")
                : "give etcd a CA of its own (`hardway pki sign --initca etcd-ca-csr.json`), sign etcd's certificates and the API server's etcd client with it, and point etcd's --trusted-ca-file and --peer-trusted-ca-file and the API server's --etcd-cafile at it"
            add(context.managedByHardway ? .error : .warning, "etcd-shared-ca", ca.file,
                "signed etcd's certificates (\(DisplayPath.relative(first.file))\(signed.count > 1 ? " and \(signed.count - 1) more" : "")) and also \(shown): etcd trusts it for clients, so those certificates can read and write all of etcd, secrets included",
                fix)
        }
        return findings
    }

    /// etcd's certificates and its one client, by hardway's names and the tutorials' (`etcd.pem`,
    /// `etcd-server.pem`, `etcd-peer.pem`, `apiserver-etcd-client.pem`).
    static func isEtcd(_ name: String) -> Bool {
        name == "etcd" || name.hasPrefix("etcd-") || name.hasSuffix("-etcd-client") || name.hasPrefix("etcd_")
    }

    static func checkKubelet(_ name: String, _ file: String, _ certificate: Certificate, sans: [SubjectAltName],
                             add: (PKIFinding.Severity, String, String, String, String) -> Void, reissue: (String) -> String) {
        let subject = SubjectName(certificate.subject)
        let commonName = subject.commonName ?? ""
        let isNodeCN = commonName.hasPrefix("system:node:")
        let inNodesGroup = subject.organization.contains("system:nodes")
        guard isNodeCN || inNodesGroup else { return }
        if isNodeCN, !inNodesGroup {
            add(.error, "kubelet-organization", file,
                "CN is \(commonName) but O is \(subject.organization.isEmpty ? "empty" : subject.organization.joined(separator: ", ")): the Node authorizer only accepts kubelets in the group system:nodes",
                "set \"O\": \"system:nodes\" in its CSR and \(reissue(name))")
        }
        if inNodesGroup, !isNodeCN {
            add(.error, "kubelet-common-name", file, "is in system:nodes but its CN is \"\(commonName)\": the Node authorizer needs CN system:node:<node name>",
                "set \"CN\": \"system:node:<node name>\" in its CSR and \(reissue(name))")
        }
        let nodeName = isNodeCN ? String(commonName.dropFirst("system:node:".count)) : ""
        if isNodeCN, nodeName.isEmpty {
            add(.error, "kubelet-common-name", file, "CN is \"system:node:\" with no node name (an unset shell variable?)",
                "set the node's name after system:node: and \(reissue(name))")
        } else if isNodeCN, !sans.contains(where: { $0.value.lowercased() == nodeName.lowercased() }) {
            add(.warning, "kubelet-san", file, "does not list its node name \(nodeName) among its SANs, so the kubelet's serving certificate does not match its name",
                "add \(nodeName) and the node's address to its hosts and \(reissue(name))")
        }
        let usages = certificate.extendedKeyUsages
        if !usages.isEmpty, !usages.contains(.clientAuth) {
            add(.error, "kubelet-usage", file, "lacks client auth: the kubelet cannot log in to the API server with it", "add \"client auth\" to the signing profile and \(reissue(name))")
        }
    }

    static func isAPIServer(_ name: String, _ certificate: Certificate, sans: [SubjectAltName]) -> Bool {
        if ["kube-apiserver", "kubernetes", "master-kubernetes", "apiserver"].contains(name) { return true }
        let commonName = SubjectName(certificate.subject).commonName
        return commonName == "kubernetes" && certificate.extendedKeyUsages.contains(.serverAuth)
    }

    static func checkAPIServer(_ name: String, _ file: String, _ certificate: Certificate, sans: [SubjectAltName], context: PKIDoctorContext,
                               add: (PKIFinding.Severity, String, String, String, String) -> Void, reissue: (String) -> String) {
        let values = Set(sans.map { $0.value.lowercased() })
        let usages = certificate.extendedKeyUsages
        if !usages.isEmpty, !usages.contains(.serverAuth) {
            add(.error, "apiserver-usage", file, "is the API server's certificate but lacks server auth", "add \"server auth\" to its profile and \(reissue(name))")
        }
        let names = ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.\(context.clusterDomain)"]
        let missingNames = names.filter { !values.contains($0) }
        if !missingNames.isEmpty {
            add(.error, "apiserver-sans", file, "lacks \(missingNames.joined(separator: ", ")): pods reaching the API by these names fail TLS",
                "add them to its hosts and \(reissue(name))")
        }
        if let serviceIP = context.serviceIP {
            if !values.contains(serviceIP) {
                add(.error, "apiserver-service-ip", file, "lacks the kubernetes service IP \(serviceIP): in-cluster clients dial that address",
                    "add \(serviceIP) to its hosts and \(reissue(name))")
            }
        }
        if let endpoint = context.endpoint {
            if !values.contains(endpoint.lowercased()) {
                add(.error, "apiserver-endpoint", file, "lacks the API endpoint \(endpoint): every kubeconfig that dials the load balancer fails TLS",
                    "add \(endpoint) to its hosts and \(reissue(name))")
            }
        }
        if context.serviceIP == nil || context.endpoint == nil {
            add(.note, "apiserver-unchecked", file, "the service IP and the load balancer address were not checked",
                "pass -f cluster.yaml, or --service-ip and --endpoint, to check them")
        }
        if !values.contains("127.0.0.1") {
            add(.warning, "apiserver-loopback", file, "lacks 127.0.0.1, which the controllers' own kubeconfigs dial", "add 127.0.0.1 to its hosts and \(reissue(name))")
        }
    }
}

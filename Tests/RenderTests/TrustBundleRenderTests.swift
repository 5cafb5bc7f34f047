import Foundation
import Testing
import ClusterModel
import PKI
import Render

/// While a CA is replaced, every place that trusts it holds the CA that signs now and the other one
/// beside it; leaf certificates and keys do not change.
@Suite("trust points carry a second CA while one is replaced")
struct TrustBundleRenderTests {
    static func next(_ ca: String) -> String { "-----BEGIN CERTIFICATE-----\nfixture next \(ca)\n-----END CERTIFICATE-----\n" }

    @Test("each trust point of the cluster, etcd and front-proxy CAs holds the signing CA first, then the other; nothing else changes")
    func everyTrustPointHoldsBoth() throws {
        var input = try RenderFixture.input("lab")
        let plain = try ClusterRenderer.render(input)
        let cas = ["ca", ClusterCertificates.etcdCAName, ClusterCertificates.frontProxyCAName]
        for ca in cas { input.pki.alsoTrusted[ca] = Self.next(ca) }
        let rotating = try ClusterRenderer.render(input)
        func both(_ ca: String) throws -> String { try input.pki.certificate(ca) + Self.next(ca) }

        // The trust points, host by host.
        let expected: [(host: String, path: String, ca: String)] = [
            ("master-0", "/var/lib/kubernetes/ca.pem", "ca"),
            ("master-0", "/var/lib/kubernetes/front-proxy-ca.pem", ClusterCertificates.frontProxyCAName),
            ("master-0", "/var/lib/kubernetes/etcd-ca.pem", ClusterCertificates.etcdCAName),
            ("master-0", "/etc/etcd/ca.pem", ClusterCertificates.etcdCAName),
            ("worker-0", "/var/lib/kubernetes/ca.pem", "ca"),
            ("lb-0", "/etc/haproxy/kubernetes-ca.pem", "ca"),
        ]
        for point in expected {
            let file = try #require(rotating.node(point.host)?.file(point.path), "\(point.host):\(point.path)")
            #expect(file.contents == (try both(point.ca)), "\(point.host):\(point.path)")
            #expect(file.contents.hasPrefix(try input.pki.certificate(point.ca)), "the signing CA first")
        }
        // Every kubeconfig, on the hosts and the workstation's, carries both cluster CAs.
        let bundle = Base64.encode(try both("ca"))
        let kubeconfigs = rotating.kubeconfigs + rotating.nodes.flatMap(\.files).filter { $0.contents.contains("certificate-authority-data:") }
        #expect(kubeconfigs.count > 14, "\(kubeconfigs.map(\.path))")
        for kubeconfig in kubeconfigs {
            #expect(kubeconfig.contents.contains("certificate-authority-data: \(bundle)\n"), "\(kubeconfig.path)")
        }
        // The controller manager's root CA (every service-account token's ca.crt) reads that file; its
        // signer reads exactly one certificate (1.20 refuses a bundle: "expected 1 certificate, found
        // 2"), so the signing CA is written alone beside it while the rotation lasts.
        let managerUnit = "/etc/systemd/system/kube-controller-manager.service"
        let manager = try #require(rotating.node("master-0")?.file(managerUnit)?.contents)
        #expect(manager.contains("--root-ca-file=/var/lib/kubernetes/ca.pem") && manager.contains("--cluster-signing-cert-file=/var/lib/kubernetes/ca-signer.pem"))
        let signer = try #require(rotating.node("master-0")?.file("/var/lib/kubernetes/ca-signer.pem"))
        #expect(signer.contents == (try input.pki.certificate("ca")) && signer.units == ["kube-controller-manager"])
        #expect(plain.node("master-0")?.file(managerUnit)?.contents.contains("--cluster-signing-cert-file=/var/lib/kubernetes/ca.pem") == true)
        #expect(plain.node("master-0")?.file("/var/lib/kubernetes/ca-signer.pem") == nil, "no rotation: ca.pem signs, as before")

        // Everything that is not a trust point (leaf certificates, keys, units) is as before.
        let trustPaths = Set(expected.map(\.path) + [managerUnit, "/var/lib/kubernetes/ca-signer.pem"])
        for node in plain.nodes {
            let after = try #require(rotating.node(node.host))
            for file in node.files where !trustPaths.contains(file.path) && !file.contents.contains("certificate-authority-data:") {
                #expect(after.file(file.path) == file, "\(node.host):\(file.path) changed")
            }
        }
        // With nothing beside it, a trust point is the CA alone.
        #expect(try PKIMaterial(certificates: ["ca": "A\n"]).trust("ca") == "A\n")
        #expect(try PKIMaterial(certificates: ["ca": "A"], alsoTrusted: ["ca": "B\n"]).trust("ca") == "A\nB\n")
    }
}

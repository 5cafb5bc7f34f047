import Foundation
import Testing
@testable import Phases

@Suite("moving etcd to a new CA: the trust files of the roll")
struct EtcdTrustRollTests {
    static func pem(_ body: String) -> String { "-----BEGIN CERTIFICATE-----\n\(body)\n-----END CERTIFICATE-----\n" }
    static let old = pem("T0xEQ0E=\nb2xk"), new = pem("TkVXQ0E=")

    @Test("a trust file's certificates are its base64 bodies, whatever the line breaks")
    func certificates() {
        #expect(TrustBundle.trustedCertificates(Self.old) == ["T0xEQ0E=b2xk"])
        #expect(TrustBundle.trustedCertificates(Self.old + Self.new) == ["T0xEQ0E=b2xk", "TkVXQ0E="])
        #expect(TrustBundle.trustedCertificates(Self.old.replacingOccurrences(of: "\n", with: "\r\n")) == ["T0xEQ0E=b2xk"])
        #expect(TrustBundle.trustedCertificates("") == [])
    }

    @Test("trusting both: the new CA first, then each old one the new file lacks, never twice")
    func both() {
        let both = TrustBundle.trustBoth(new: Self.new, old: Self.old)
        #expect(both == Self.new + Self.old)
        #expect(TrustBundle.trustedCertificates(both) == TrustBundle.trustedCertificates(Self.old).union(TrustBundle.trustedCertificates(Self.new)))
        #expect(TrustBundle.trustBoth(new: Self.new, old: both) == both, "an interrupted roll's file stays as it is")
        #expect(TrustBundle.trustBoth(new: Self.new, old: Self.new) == Self.new)
        #expect(TrustBundle.trustBoth(new: Self.new, old: "") == Self.new)
    }

    @Test("the etcd CA file an API server unit names")
    func apiServerFlag() {
        let unit = """
        [Service]
        ExecStart=/usr/local/bin/kube-apiserver \\
          --etcd-cafile=/var/lib/kubernetes/ca.pem \\
          --etcd-certfile=/var/lib/kubernetes/kube-apiserver-etcd-client.pem
        """
        #expect(TrustBundle.etcdCAFile(unit: unit) == "/var/lib/kubernetes/ca.pem")
        #expect(TrustBundle.etcdCAFile(unit: "") == nil)
    }
}

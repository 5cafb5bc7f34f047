import Foundation
import Testing
import Render
@testable import Phases

/// What a host says of the certificates and trust it runs, read back, and the reasons a CA
/// rotation may not move on yet.
@Suite("trust survey: what the processes run of the certificate and trust files")
struct TrustSurveyTests {
    static let pem = "-----BEGIN CERTIFICATE-----\nMIIB\nAAAA\n-----END CERTIFICATE-----\n"

    static let output = """
    file 1111 1700000100 /var/lib/kubernetes/ca.pem
    file 2222 1700000100 /var/lib/kubernetes/kube-scheduler.kubeconfig
    file - - /var/lib/kubernetes/front-proxy-ca.pem
    unit kube-apiserver active 1700000101
    unit kube-scheduler active 1700000050
    unit kube-controller-manager activating -
    serves kube-apiserver
    \(pem)end
    serves etcd
    end
    trust /etc/etcd/ca.pem
    \(pem)\(pem)
    end
    """

    @Test("the script's lines and blocks: files with digest and change time, units with start time, served certificates, trust files")
    func parse() {
        let reading = TrustSurvey.parse(host: "master-0", Self.output)
        #expect(reading.files["/var/lib/kubernetes/ca.pem"] == .init(sha256: "1111", changed: 1_700_000_100))
        #expect(reading.files["/var/lib/kubernetes/front-proxy-ca.pem"] == .init(sha256: nil, changed: nil))
        #expect(reading.units["kube-apiserver"] == .init(active: true, started: 1_700_000_101))
        #expect(reading.units["kube-controller-manager"] == .init(active: false, started: nil))
        #expect(reading.served["kube-apiserver"] == Self.pem)
        #expect(reading.served["etcd"] == nil, "a server that did not answer presents nothing")
        #expect(reading.trusts["/etc/etcd/ca.pem"] == Self.pem + Self.pem)
    }

    @Test("problems: a missing file, one not the rendered one, a unit not running, a unit started before its file changed; none when all runs")
    func problems() {
        let reading = TrustSurvey.parse(host: "master-0", Self.output)
        let ca = RenderedFile(path: "/var/lib/kubernetes/ca.pem", contents: "x", units: ["kube-apiserver"])
        // The digests the host printed are not of these contents: the file differs.
        #expect(TrustSurvey.problems(reading, files: [ca]) == ["master-0: 1 file is not the rendered one (/var/lib/kubernetes/ca.pem)"])
        var matching = TrustSurvey.parse(host: "master-0", Self.output.replacingOccurrences(of: "1111", with: ca.sha256))
        #expect(TrustSurvey.problems(matching, files: [ca]).isEmpty, "started a second after the change: runs it")
        let scheduler = RenderedFile(path: "/var/lib/kubernetes/kube-scheduler.kubeconfig", contents: "y", units: ["kube-scheduler"])
        matching.files[scheduler.path] = .init(sha256: scheduler.sha256, changed: 1_700_000_100)
        #expect(TrustSurvey.problems(matching, files: [ca, scheduler]) == ["master-0: kube-scheduler started before /var/lib/kubernetes/kube-scheduler.kubeconfig last changed"])
        let manager = RenderedFile(path: "/var/lib/kubernetes/ca.pem", contents: "x", units: ["kube-controller-manager"])
        #expect(TrustSurvey.problems(matching, files: [manager]) == ["master-0: kube-controller-manager not running"])
        let missing = RenderedFile(path: "/var/lib/kubernetes/front-proxy-ca.pem", contents: "z", units: ["kube-apiserver"])
        #expect(TrustSurvey.problems(matching, files: [missing]) == ["master-0 has no /var/lib/kubernetes/front-proxy-ca.pem"])
    }

    @Test("the script reads the newest worker of a reloaded unit, the process of any other, and shows etcd a client certificate")
    func script() {
        let text = TrustSurvey.script(address: "10.0.0.10", files: ["/a b"], units: ["nginx", "etcd"], servers: [
            .init(name: "etcd", port: 2379, clientCertificate: ("/etc/etcd/peer.pem", "/etc/etcd/peer-key.pem")),
        ], trusts: ["/etc/etcd/ca.pem"])
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("for f in '/a b';") })
        #expect(lines.first { $0.contains("MainPID --value nginx") }?.contains("$4 == p") == true, "nginx: its newest child")
        #expect(lines.first { $0.contains("MainPID --value etcd") }?.contains("$4 == p") == false)
        #expect(lines.contains { $0.contains("--cert '/etc/etcd/peer.pem' --key '/etc/etcd/peer-key.pem'") && $0.contains("https://10.0.0.10:2379/") })
        #expect(lines.contains { $0.hasPrefix("echo 'trust /etc/etcd/ca.pem'; cat '/etc/etcd/ca.pem'") })
    }

    @Test("token secrets' ca.crt, decoded from what kubectl's jsonpath prints")
    func tokens() {
        let text = "default/default-token-abcde \(Data(Self.pem.utf8).base64EncodedString())\nkube-system/empty-token-x \n"
        let tokens = TrustSurvey.parseTokenCAs(text)
        #expect(tokens.count == 2 && tokens[0].secret == "default/default-token-abcde" && tokens[0].ca == Self.pem)
        #expect(tokens[1].secret == "kube-system/empty-token-x" && tokens[1].ca.isEmpty)
    }
}

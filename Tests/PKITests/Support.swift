import Foundation
import X509
@testable import ClusterModel
@testable import PKI

enum PKIFixture {
    static let cluster = """
    apiVersion: hardway/v1
    kind: Cluster
    name: test
    network: { nodeCIDR: 10.240.0.0/24, podCIDR: 10.200.0.0/16, serviceCIDR: 10.32.0.0/24, clusterDomain: cluster.local }
    api: { endpoint: 10.240.0.5, extraSANs: [k8s.example.com] }
    loadBalancer: { kind: haproxy, host: lb-0 }
    pki:
      keyAlgorithm: ecdsa-p256
      subject: { country: UK, state: London, locality: England, organizationalUnit: tests }
    hosts:
      - { name: lb-0, address: 10.240.0.5, roles: [loadbalancer] }
      - { name: master-0, address: 10.240.0.10, roles: [controller] }
      - { name: master-1, address: 10.240.0.11, roles: [controller] }
      - { name: master-2, address: 10.240.0.12, roles: [controller] }
      - { name: worker-0, address: 10.240.0.20, roles: [worker] }
      - { name: worker-1, address: 10.240.0.21, roles: [worker] }
    """

    static func resolve(_ text: String = cluster) throws -> Cluster {
        let resolution = ClusterResolver.resolve(text: text)
        guard let cluster = resolution.cluster else { throw PKIError(.invalidConfig, "fixture does not resolve: \(resolution.diagnostics)") }
        return cluster
    }

    static func withController(_ name: String, _ address: String) -> String {
        cluster.replacingOccurrences(of: "  - { name: worker-0,", with: "  - { name: \(name), address: \(address), roles: [controller] }\n  - { name: worker-0,")
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "hardway-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @discardableResult
    static func issue(_ cluster: Cluster, into store: PKIStore, now: Date = Date(), options: PKIIssueOptions = PKIIssueOptions()) async throws -> PKIIssueResult {
        try await PKIIssuer.run(profiles: ClusterCertificates.profiles(for: cluster), store: store, options: options, now: now)
    }

    /// name → sha256-free fingerprint: the file bytes themselves.
    static func snapshot(_ directory: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name != "replaced" {
            files[name] = FileManager.default.contents(atPath: "\(directory)/\(name)")
        }
        return files
    }

    static func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1
    }
}

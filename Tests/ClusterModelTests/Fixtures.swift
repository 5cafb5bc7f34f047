import Foundation
@testable import ClusterModel

/// A valid cluster file that tests edit line by line to make each bad input.
enum Fixture {
    static let base = """
    apiVersion: hardway/v1
    kind: Cluster
    name: test
    network:
      nodeCIDR: 10.240.0.0/24
      podCIDR: 10.200.0.0/16
      serviceCIDR: 10.32.0.0/24
    api:
      endpoint: 10.240.0.5
      extraSANs: [k8s.example.com]
    loadBalancer:
      kind: haproxy
      host: lb-0
    pki:
      keyAlgorithm: ecdsa-p256
    hosts:
      - { name: lb-0, address: 10.240.0.5, roles: [loadbalancer] }
      - { name: master-0, address: 10.240.0.10, roles: [controller] }
      - { name: master-1, address: 10.240.0.11, roles: [controller] }
      - { name: master-2, address: 10.240.0.12, roles: [controller] }
      - { name: worker-0, address: 10.240.0.20, roles: [worker] }
      - { name: worker-1, address: 10.240.0.21, roles: [worker], podCIDR: 10.200.0.0/24 }
    """

    /// `base` with `old` replaced by `new` (which must be there: a typo in a test must fail loudly).
    static func replacing(_ old: String, with new: String) -> String {
        precondition(base.contains(old), "fixture has no \(old)")
        return base.replacingOccurrences(of: old, with: new)
    }

    static func resolve(_ text: String) -> Resolution { ClusterResolver.resolve(text: text) }

    /// The repository root, from this file's path.
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}

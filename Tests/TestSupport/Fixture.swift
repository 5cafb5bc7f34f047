import Foundation
import ClusterModel

/// A valid cluster file that tests edit line by line to make each bad input, and that the PKI tests
/// issue certificates for.
public enum Fixture {
    public static let base = """
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
      subject: { country: UK, state: London, locality: England, organizationalUnit: tests }
    hosts:
      - { name: lb-0, address: 10.240.0.5, roles: [loadbalancer] }
      - { name: master-0, address: 10.240.0.10, roles: [controller] }
      - { name: master-1, address: 10.240.0.11, roles: [controller] }
      - { name: master-2, address: 10.240.0.12, roles: [controller] }
      - { name: worker-0, address: 10.240.0.20, roles: [worker] }
      - { name: worker-1, address: 10.240.0.21, roles: [worker], podCIDR: 10.200.0.0/24 }
    """

    /// `base` with `old` replaced by `new` (which must be there: a typo in a test must fail loudly).
    public static func replacing(_ old: String, with new: String, in text: String = base) -> String {
        precondition(text.contains(old), "fixture has no \(old)")
        return text.replacingOccurrences(of: old, with: new)
    }

    /// `base` with one more controller, listed before the workers.
    public static func withController(_ name: String, _ address: String) -> String {
        replacing("  - { name: worker-0,", with: "  - { name: \(name), address: \(address), roles: [controller] }\n  - { name: worker-0,")
    }

    public static func resolve(_ text: String) -> Resolution { ClusterResolver.resolve(text: text) }

    /// The repository root, from this file's path.
    public static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}

/// A small deterministic generator, so a sweep of mangled inputs is the same on every run.
public struct SplitMix {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

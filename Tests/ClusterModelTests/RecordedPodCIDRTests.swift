import Testing
@testable import ClusterModel
import TestSupport

/// Pod CIDRs once applied stay where they are: hosts taken out or reordered never move a running
/// node's range, a new worker takes the lowest free one, and a pin in the file that takes a range a
/// running worker has is refused with both named.
@Suite("pod CIDRs recorded by apply")
struct RecordedPodCIDRTests {
    static let workers = """
    apiVersion: hardway/v1
    kind: Cluster
    name: test
    network: { nodeCIDR: 10.240.0.0/24, podCIDR: 10.200.0.0/16, serviceCIDR: 10.32.0.0/24 }
    api: { endpoint: 10.240.0.5 }
    loadBalancer: { kind: haproxy, host: lb-0 }
    hosts:
      - { name: lb-0, address: 10.240.0.5, roles: [loadbalancer] }
      - { name: master-0, address: 10.240.0.10, roles: [controller] }
    """

    func resolve(_ workers: [String], recorded: [String: String] = [:]) -> Resolution {
        let text = Self.workers + "\n" + workers.map { "  - " + $0 }.joined(separator: "\n")
        return ClusterResolver.resolve(text: text, provisioned: Provisioned(podCIDRs: recorded))
    }

    func cidrs(_ resolution: Resolution) -> [String: String] {
        Dictionary(uniqueKeysWithValues: (resolution.cluster?.workers ?? []).map { ($0.name, $0.podCIDR?.description ?? "-") })
    }

    @Test("a worker taken out moves no other; a new one takes the lowest free range; order does not matter")
    func recordedRangesStay() throws {
        let first = resolve(["{ name: w-0, address: 10.240.0.20, roles: [worker] }",
                             "{ name: w-1, address: 10.240.0.21, roles: [worker] }",
                             "{ name: w-2, address: 10.240.0.22, roles: [worker] }"])
        let applied = cidrs(first)
        #expect(applied == ["w-0": "10.200.0.0/24", "w-1": "10.200.1.0/24", "w-2": "10.200.2.0/24"])

        // Without the record, w-1 and w-2 would move down when w-0 leaves.
        let unrecorded = resolve(["{ name: w-1, address: 10.240.0.21, roles: [worker] }", "{ name: w-2, address: 10.240.0.22, roles: [worker] }"])
        #expect(cidrs(unrecorded)["w-1"] == "10.200.0.0/24")

        let removed = resolve(["{ name: w-2, address: 10.240.0.22, roles: [worker] }", "{ name: w-1, address: 10.240.0.21, roles: [worker] }",
                               "{ name: w-3, address: 10.240.0.23, roles: [worker] }"], recorded: applied)
        #expect(removed.diagnostics.errors.isEmpty, "\(removed.diagnostics)")
        #expect(cidrs(removed) == ["w-1": "10.200.1.0/24", "w-2": "10.200.2.0/24", "w-3": "10.200.0.0/24"], "w-3 takes the range w-0 freed")
    }

    @Test("a pin in the file wins for a new worker, and one that takes a running worker's range is refused naming both")
    func pinsWinButNeverTakeARunningRange() throws {
        let recorded = ["w-0": "10.200.0.0/24", "w-1": "10.200.1.0/24"]
        let pinned = resolve(["{ name: w-0, address: 10.240.0.20, roles: [worker] }", "{ name: w-1, address: 10.240.0.21, roles: [worker] }",
                              "{ name: w-2, address: 10.240.0.22, roles: [worker], podCIDR: 10.200.7.0/24 }"], recorded: recorded)
        #expect(cidrs(pinned) == ["w-0": "10.200.0.0/24", "w-1": "10.200.1.0/24", "w-2": "10.200.7.0/24"])

        let clash = resolve(["{ name: w-0, address: 10.240.0.20, roles: [worker] }", "{ name: w-1, address: 10.240.0.21, roles: [worker] }",
                             "{ name: w-2, address: 10.240.0.22, roles: [worker], podCIDR: 10.200.1.0/24 }"], recorded: recorded)
        let error = try #require(clash.diagnostics.errors.first { $0.code == "pod-cidr-taken" }, "\(clash.diagnostics)")
        #expect(error.path == "hosts[4].podCIDR")
        #expect(error.message.contains("w-2") && error.message.contains("w-1") && error.message.contains("10.200.1.0/24"), "\(error.message)")
        #expect(clash.cluster == nil)
    }
}

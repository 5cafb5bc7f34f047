import Foundation
import ClusterModel

/// The cluster `bench pki` and `bench render` time, from their options: 1 load balancer,
/// 3 controllers and `workers` workers in 10.240.0.0/16, with the key algorithm asked for.
struct BenchScale {
    let workers: Int
    let algorithm: KeyAlgorithm
    let runs: Int

    /// `--workers` (1 to `most`), `--runs` (1 to 50) and `--key-algorithm`, checked in that order.
    init(workers: Int, most: Int, keyAlgorithm: String, runs: Int) throws {
        guard (1...most).contains(workers) else { throw CLIError("--workers must be between 1 and \(most)") }
        guard (1...50).contains(runs) else { throw CLIError("--runs must be between 1 and 50") }
        guard let algorithm = KeyAlgorithm(rawValue: keyAlgorithm) else {
            throw CLIError("unknown key algorithm \"\(keyAlgorithm)\"", fix: "use one of: \(KeyAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.workers = workers
        self.algorithm = algorithm
        self.runs = runs
    }

    var clusterText: String {
        var hosts = ["  - { name: lb-0, address: 10.240.0.5, roles: [loadbalancer] }"]
        for index in 0..<3 { hosts.append("  - { name: master-\(index), address: 10.240.0.\(10 + index), roles: [controller] }") }
        for index in 0..<workers {
            hosts.append("  - { name: worker-\(index), address: 10.240.\(1 + index / 250).\(index % 250 + 1), roles: [worker] }")
        }
        return """
        apiVersion: hardway/v1
        kind: Cluster
        name: bench
        network: { nodeCIDR: 10.240.0.0/16, podCIDR: 10.64.0.0/10, serviceCIDR: 10.32.0.0/24 }
        api: { endpoint: 10.240.0.5 }
        loadBalancer: { kind: haproxy, host: lb-0 }
        pki: { keyAlgorithm: \(algorithm.rawValue), subject: { country: UK, organizationalUnit: bench } }
        hosts:
        \(hosts.joined(separator: "\n"))

        """
    }

    func cluster() throws -> Cluster { try BenchCluster.resolve(clusterText) }

    /// What the figures' first line says of the runs: `, median of 5 runs`, or nothing for one.
    var medianNote: String { runs > 1 ? ", median of \(runs) runs" : "" }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

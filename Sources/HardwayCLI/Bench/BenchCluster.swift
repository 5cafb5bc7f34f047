import Foundation
import ClusterModel
import Shell

/// A cluster of a bench's own: its file in a temporary directory, and this hardway run on it step by
/// step, each step timed. `remove()` takes its machines down and the directory away.
struct BenchCluster {
    let scratch: String
    let file: String
    let dir: String
    let hardway = BenchCluster.thisProgram

    init(name: String, text: String) throws {
        scratch = NSTemporaryDirectory() + "hardway-bench-\(name)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        file = "\(scratch)/cluster.yaml"
        dir = "\(scratch)/bench"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
    }

    /// `hardway ARGUMENTS -f FILE --dir DIR`, which must succeed: its time and its output.
    @discardableResult
    func step(_ arguments: [String]) throws -> (seconds: Double, stdout: String) {
        let started = Date()
        let result = try Exec.run(hardway, arguments + ["-f", file, "--dir", dir])
        guard result.succeeded else { throw CLIError("bench: hardway \(arguments.joined(separator: " ")) failed: \(result.tail)") }
        return (Date().timeIntervalSince(started), result.stdout)
    }

    func remove() {
        _ = try? Exec.run(hardway, ["lab", "down", "-f", file, "--dir", dir])
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// The binary of this hardway, which the benches run as processes of their own.
    static var thisProgram: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// A bench's cluster file, resolved. The benches write their files themselves, so one that does
    /// not resolve is hardway's bug.
    static func resolve(_ text: String) throws -> Cluster {
        let resolution = ClusterResolver.resolve(text: text)
        guard let cluster = resolution.cluster else {
            throw CLIError("internal: the benchmark cluster does not validate: \(resolution.diagnostics.errors.map(\.description).joined(separator: "; "))")
        }
        return cluster
    }

    /// The lab example's layout on a /24 of the bench's own (`subnet` is its first three octets), so
    /// a lab you run is not touched: lb-0 at .5, up to 3 controllers from .10, the other machines
    /// workers from .20. `settings` are further top-level lines of the file.
    static func labText(name: String, subnet: String, machines: Int = 6, settings: [String] = []) -> String {
        let controllers = min(3, machines - 1)
        var hosts = ["  - { name: lb-0, address: \(subnet).5, roles: [loadbalancer] }"]
        hosts += (0..<controllers).map { "  - { name: master-\($0), address: \(subnet).\(10 + $0), roles: [controller] }" }
        hosts += (0..<(machines - 1 - controllers)).map { "  - { name: worker-\($0), address: \(subnet).\(20 + $0), roles: [worker] }" }
        return ([
            "apiVersion: hardway/v1",
            "kind: Cluster",
            "name: \(name)",
            "kubernetesVersion: v1.20.2",
            "etcdVersion: v3.4.23              # Debian's etcd, which lab up puts in the binaries directory",
            "network: { nodeCIDR: \(subnet).0/24, podCIDR: 10.200.0.0/16, serviceCIDR: 10.32.0.0/24 }",
            "api: { endpoint: \(subnet).5 }",
            "loadBalancer: { kind: haproxy, host: lb-0 }",
            "ssh: { user: root }",
        ] + settings + ["hosts:"] + hosts).joined(separator: "\n")
    }
}

import Foundation
import ClusterModel
import Remote
import Shell

/// A cluster as its file describes it, with a way to reach each of its hosts and a line for
/// progress: what apply, check, the drills, the smoke test, snapshots and the encryption commands
/// all work on. The CLI makes one (ssh hosts); the tests make one of scripted hosts.
public struct LiveCluster: Sendable {
    public let cluster: Cluster
    public let hosts: [String: any RemoteHost]
    public let progress: @Sendable (String) -> Void
    /// How many hosts are worked on at once (`--parallel`).
    public let parallelism: Int

    public init(cluster: Cluster, hosts: [String: any RemoteHost], parallelism: Int = 10, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.cluster = cluster
        self.hosts = hosts
        self.parallelism = max(1, parallelism)
        self.progress = progress
    }
}

/// Work on a live cluster: what each kind of work reaches through its `live` cluster, written once.
public protocol LiveClusterWork {
    var live: LiveCluster { get }
}

extension LiveClusterWork {
    public var cluster: Cluster { live.cluster }
    public var hosts: [String: any RemoteHost] { live.hosts }

    func progress(_ text: String) { live.progress(text) }

    /// The host of a machine of the cluster file (every one has one).
    func host(_ machine: Machine) -> any RemoteHost { live.hosts[machine.name]! }

    /// The first controller, where kubectl runs with the admin kubeconfig.
    var firstController: Machine? { cluster.controllers.first }

    /// Runs `body` for every machine, `parallelism` at a time; every result in the machines' order.
    /// When some fail, every failure is reported (HostFailures), not only the first.
    func onHosts<Result: Sendable>(_ machines: [Machine], _ body: @escaping @Sendable (Machine) throws -> Result) throws -> [Result] {
        let results = parallel(machines, limit: live.parallelism) { machine in Swift.Result { try body(machine) } }
        let failures = zip(machines, results).compactMap { machine, result -> (String, Error)? in
            if case .failure(let error) = result { return (machine.name, error) }
            return nil
        }
        if failures.count == 1 { throw failures[0].1 }
        if failures.count > 1 { throw HostFailures(failures: failures) }
        return results.map { try! $0.get() }
    }
}

extension LiveClusterWork {
    /// For each of `machines`, the second after its kubelet's process started, by the host's own
    /// clock, which also stamps the kubelet's reports; `command` (a restart) runs there first. A
    /// report at or after it is the new kubelet's own: a restarted kubelet's first report may say
    /// NotReady, and its predecessor's last one, seconds old, must not pass for it.
    func kubeletStarts(_ machines: [Machine], after command: String? = nil) throws -> [String: Date] {
        let hosts = live.hosts
        let starts = try onHosts(machines) { machine -> (String, Int?) in
            let script = (command.map { "\($0) && " } ?? "") + "{ \(NodeCommands.unitStarted("kubelet")); echo \"$t\"; }"
            let output = try hosts[machine.name]!.check(script, step: command == nil ? "reading when kubelet started" : "restarting kubelet").stdout
            return (machine.name, Int(output.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        return Dictionary(starts.compactMap { name, start in start.map { (name, Date(timeIntervalSince1970: TimeInterval($0 + 1))) } }, uniquingKeysWith: { $1 })
    }
}

/// Several hosts failed in one step: each one, with what it said.
public struct HostFailures: Error, CustomStringConvertible, Sendable {
    public var failures: [(host: String, error: Error)]

    public var description: String {
        "\(failures.count) hosts failed: " + failures.map { "\($0.host): \($0.error)" }.joined(separator: "; ")
    }
}

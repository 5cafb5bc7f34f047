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

    public init(cluster: Cluster, hosts: [String: any RemoteHost], progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.cluster = cluster
        self.hosts = hosts
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

    /// Runs `body` for every machine at once; every result in the machines' order, or the first
    /// failure by that order.
    func onHosts<Result: Sendable>(_ machines: [Machine], _ body: @escaping @Sendable (Machine) throws -> Result) throws -> [Result] {
        try parallel(machines) { machine in Swift.Result { try body(machine) } }.map { try $0.get() }
    }
}

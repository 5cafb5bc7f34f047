import Foundation
import ClusterModel
import Remote
import Shell

/// Fault drills on a running cluster: break one thing, watch the cluster hold, put it back, report
/// the figures. Each drill restores what it broke, even when the cluster did not hold. One file per
/// drill: ControllerDrill, EtcdDrill, WorkerDrill; RequestLoop counts the requests meanwhile.
public struct Drill: LiveClusterWork, Sendable {
    public enum Kind: String, CaseIterable, Sendable, Codable {
        case controller, etcd, worker
    }

    /// One measured fact: what, the figure, and whether it met its target.
    public struct Figure: Codable, Sendable, Equatable {
        public var name: String
        public var value: String
        public var ok: Bool
    }

    public struct Report: Codable, Sendable {
        public var kind: Kind
        public var host: String
        public var held: Bool
        public var figures: [Figure]
        public var seconds: Double
    }

    public let live: LiveCluster
    /// The cluster's PKI directory on this box: the request loop authenticates as admin.
    public let pki: String

    public init(live: LiveCluster, pki: String) {
        self.live = live
        self.pki = pki
    }

    static let kubectl = NodeCommands.kubectl

    public func run(_ kind: Kind, host: String?) throws -> Report {
        let started = Date()
        let (machine, figures): (Machine, [Figure])
        switch kind {
        case .controller:
            machine = try pick(host, from: cluster.controllers, role: "controller") ?? leaderHost() ?? cluster.controllers[0]
            figures = try controller(machine)
        case .etcd:
            machine = try pick(host, from: cluster.etcdMembers, role: "etcd member") ?? etcdFollower() ?? cluster.etcdMembers.last!
            figures = try etcd(machine)
        case .worker:
            machine = try pick(host, from: cluster.workers, role: "worker") ?? cluster.workers.last!
            figures = try worker(machine)
        }
        return Report(kind: kind, host: machine.name, held: figures.allSatisfy(\.ok), figures: figures, seconds: Date().timeIntervalSince(started))
    }

    func pick(_ name: String?, from machines: [Machine], role: String) throws -> Machine? {
        guard !machines.isEmpty else {
            throw DrillError(.nothingToDrill, "the cluster file has no \(role) to drill", fix: "choose another drill")
        }
        guard let name else { return nil }
        guard let machine = machines.first(where: { $0.name == name }) else {
            throw DrillError(.unknownHost, "\(name) is not a \(role) of the cluster file", fix: "use one of \(machines.map(\.name).joined(separator: ", "))")
        }
        return machine
    }

    /// Where kubectl runs for the drill: the first controller.
    var api: any RemoteHost { host(cluster.controllers[0]) }

    /// Another controller than `machine` (the one the drill takes away).
    func apiHost(avoiding machine: Machine) -> any RemoteHost {
        host(cluster.controllers.first { $0.name != machine.name } ?? cluster.controllers[0])
    }
}

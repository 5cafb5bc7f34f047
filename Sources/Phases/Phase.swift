import Foundation
import ClusterModel
import Render

/// The steps from rendered files to a running cluster, in order. Each runs on its hosts in
/// parallel and ends with a gate on real health.
public enum Phase: String, CaseIterable, Sendable, Codable, Comparable {
    case connect, preflight, distribute, binaries, network, etcd, loadbalancer
    case controlPlane = "control-plane", rbac, workers, addons, smoke

    /// The phases `--until` accepts.
    public static let stops: [Phase] = [.network, .etcd, .loadbalancer, .controlPlane, .workers, .addons]

    public static func < (lhs: Phase, rhs: Phase) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The phases up to and including `until`.
    public static func through(_ until: Phase?) -> [Phase] {
        allCases.filter { until == nil || $0 <= until! }
    }
}

/// A binary a phase needs on some hosts: where it comes from in the binaries directory and where it
/// goes on the host.
public struct BinaryNeed: Sendable, Equatable {
    public var name: String
    /// Relative to the binaries directory.
    public var source: String
    public var destination: String
    public var phase: Phase
    /// Whether it comes from Kubernetes' own release (else from the OS or etcd/containerd releases).
    public var kubernetes: Bool

    public init(name: String, source: String, destination: String, phase: Phase, kubernetes: Bool) {
        self.name = name
        self.source = source
        self.destination = destination
        self.phase = phase
        self.kubernetes = kubernetes
    }

    /// What each host needs, by its roles, for the phases that run.
    public static func needs(for machine: Machine, cluster: Cluster, phases: [Phase]) -> [BinaryNeed] {
        var needs: [BinaryNeed] = []
        func add(_ names: [String], _ phase: Phase, kubernetes: Bool = false, directory: String = "/usr/local/bin", sourceDirectory: String = "") {
            guard phases.contains(phase) else { return }
            needs += names.map { BinaryNeed(name: $0, source: sourceDirectory + $0, destination: "\(directory)/\($0)", phase: phase, kubernetes: kubernetes) }
        }
        if cluster.etcdMembers.contains(where: { $0.name == machine.name }) { add(["etcd", "etcdctl"], .etcd) }
        if machine.has(.controller) {
            add(["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"], .controlPlane, kubernetes: true)
        }
        if machine.has(.worker) {
            add(["containerd", "containerd-shim-runc-v2", "ctr", "runc"], .workers)
            // The pod network (and its check) needs the CNI plugins before any kubelet runs.
            add(["bridge", "host-local", "loopback"], .network, directory: "/opt/cni/bin", sourceDirectory: "cni/")
            add(["kubelet", "kube-proxy"], .workers, kubernetes: true)
        }
        return needs
    }
}

/// The units each phase starts on a host (those the node bundle has).
public enum PhaseUnits {
    public static func units(for phase: Phase, bundle: NodeBundle, cluster: Cluster) -> [String] {
        let present = Set(bundle.files.flatMap(\.units))
        let wanted: [String]
        switch phase {
        case .network: wanted = ["hardway-pod-routes"]
        case .etcd: wanted = ["etcd"]
        case .loadbalancer: wanted = ["haproxy", "nginx"]
        case .controlPlane: wanted = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"]
        case .workers: wanted = ["hardway-swap-off", "containerd", "kubelet", "kube-proxy"]
        default: wanted = []
        }
        return wanted.filter(present.contains)
    }
}

/// `DIR/applied.json`: which phases finished, and when — what `check` reads to tell "not applied"
/// from "unhealthy".
public struct ApplyRecord: Codable, Sendable, Equatable {
    public var phases: [String: Date] = [:]
    /// Units whose files or binaries were written but that have not been restarted yet, per host:
    /// an apply interrupted between the two restarts them on the next run.
    public var pendingRestarts: [String: [String]]? = nil
    /// Hosts whose unit files changed since systemd last reloaded them.
    public var pendingReloads: [String]? = nil
    /// The files apply put on each host: one no longer rendered for a host is removed from it.
    public var files: [String: [String]]? = nil
    /// Each host apply gave files to, as the file described it then: a host the file no longer
    /// has has left, and is drained and cleaned; a worker's pod CIDR must not move under its pods.
    public var hosts: [String: RecordedHost]? = nil

    public struct RecordedHost: Codable, Sendable, Equatable {
        public var address: String
        public var sshAddress: String
        public var roles: [String]
        public var podCIDR: String?
        /// Whether it was an etcd member (a controller is one when no host has the etcd role).
        public var etcdMember: Bool

        public init(_ machine: Machine, in cluster: Cluster) {
            address = machine.address.description
            sshAddress = machine.sshAddress
            roles = machine.roles.map(\.rawValue).sorted()
            podCIDR = machine.podCIDR?.description
            etcdMember = cluster.etcdMembers.contains { $0.name == machine.name }
        }
    }

    public init() {}

    public func applied(_ phase: Phase) -> Bool { phases[phase.rawValue] != nil }

    public static func load(_ path: String) -> ApplyRecord {
        guard let data = FileManager.default.contents(atPath: path) else { return ApplyRecord() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (try? decoder.decode(ApplyRecord.self, from: data)) ?? ApplyRecord()
    }

    public func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(self)
        let temporary = path + ".tmp"
        try data.write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}

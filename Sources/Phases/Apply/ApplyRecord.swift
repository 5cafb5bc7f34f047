import Foundation
import ClusterModel

/// `DIR/applied.json`: which phases finished, and when — what `check` reads to tell "not applied"
/// from "unhealthy" — and what apply still owes and has given each host. `ApplyLedger` is its one
/// writer.
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

    public init(phases: [String: Date]) {
        self.init()
        self.phases = phases
    }

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

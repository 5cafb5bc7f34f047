import Foundation
import ClusterModel
import PKI

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
    /// What apply last read of each file on each host: its stamp (size, inode, change time to the
    /// nanosecond) and sha256. A file whose stamp is unchanged is not read again (rsync's quick
    /// check, on the change time no one can set back): a no-op apply hashes no 100 MB binary.
    public var stamps: [String: [String: FileStamp]]? = nil
    /// The same for this box's binaries and image archives (LocalDigests).
    public var localStamps: [String: FileStamp]? = nil
    /// Host → component → the version apply last started there (`etcd`: `v3.4.23`): what an upgrade
    /// starts from. A host is written as each of its components passes its gate, so a run cut in
    /// the middle of an upgrade knows which hosts are done.
    public var versions: [String: [String: String]]? = nil
    /// The etcd snapshot apply took before the upgrade it is carrying out (kept under
    /// `<dir>/backups/`): a resumed run does not take another.
    public var upgradeSnapshot: UpgradeSnapshot? = nil

    public struct UpgradeSnapshot: Codable, Sendable, Equatable {
        /// The upgrade, as `UpgradePlan.summary` writes it.
        public var upgrade: String
        public var file: String
        public var taken: Date

        public init(upgrade: String, file: String, taken: Date) {
            (self.upgrade, self.file, self.taken) = (upgrade, file, taken)
        }
    }

    public struct FileStamp: Codable, Sendable, Equatable {
        /// `size:inode:ctime` as `stat -c '%s:%i:%.9Z'` prints it.
        public var stamp: String
        public var sha256: String

        public init(stamp: String, sha256: String) {
            self.stamp = stamp
            self.sha256 = sha256
        }

        /// Whether `stat` printed a stamp whole (an older stat that prints `%.9Z` as it is must
        /// never match).
        public static func isWhole(_ stamp: String) -> Bool {
            let parts = stamp.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].allSatisfy(\.isNumber), parts[1].allSatisfy(\.isNumber), !parts[0].isEmpty, !parts[1].isEmpty else { return false }
            let time = parts[2].split(separator: ".", omittingEmptySubsequences: false)
            return time.count == 2 && !time[0].isEmpty && time[0].allSatisfy(\.isNumber) && time[1].count == 9 && time[1].allSatisfy(\.isNumber)
        }
    }

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

    /// The copy of the record as it was before its last save, kept beside it.
    public static func previousPath(_ path: String) -> String { path + ".previous" }

    /// The record at `path`; none yet is a cluster never applied. One that cannot be read is an
    /// error naming the file and its previous copy: read as empty, it would switch off every rule
    /// it carries (one etcd member at a time, pinned pod CIDRs, departed hosts, owed restarts).
    public static func load(_ path: String) throws -> ApplyRecord {
        guard FileManager.default.fileExists(atPath: path) else { return ApplyRecord() }
        let previous = previousPath(path)
        let restore = FileManager.default.fileExists(atPath: previous)
            ? "look at it, and if the copy from before its last change reads, restore it (`cp \(previous) \(path)`), then run again"
            : "restore it from a backup of the cluster directory; without it apply cannot tell what it gave each host"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PhaseError(.ledger, .connect, "\(path) cannot be read", fix: "check its permissions, or " + restore)
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(ApplyRecord.self, from: data)
        } catch {
            throw PhaseError(.ledger, .connect, "\(path), the record of what apply did, is damaged (\(data.isEmpty ? "it is empty" : "it is not the JSON apply writes")); apply's safety rules need it",
                             fix: restore)
        }
    }

    /// Writes the record whole or not at all (a temporary file, synced, renamed, the directory
    /// synced), after keeping the one it replaces as `<path>.previous`.
    public func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        do {
            if let current = FileManager.default.contents(atPath: path) {
                try AtomicFile.write(Array(current), to: Self.previousPath(path), mode: 0o600)
            }
            try AtomicFile.write(Array(try encoder.encode(self)) + [10], to: path, mode: 0o600)
        } catch let error as PKIError {
            throw PhaseError(.ledger, .connect, error.message, fix: error.fix ?? "check the cluster directory")
        }
    }
}

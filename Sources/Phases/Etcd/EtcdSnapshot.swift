import Foundation
import Crypto
import ClusterModel
import Remote
import Shell

/// What `etcdctl snapshot status -w json` says of a snapshot file.
public struct SnapshotStatus: Codable, Sendable, Equatable {
    public var hash: UInt64
    public var revision: Int64
    public var totalKey: Int64
    public var totalSize: Int64

    /// etcdctl 3.4's JSON (`{"hash":…,"revision":…,"totalKey":…,"totalSize":…}`), or nil.
    public static func parse(_ json: String) -> SnapshotStatus? {
        guard let start = json.firstIndex(of: "{"), let end = json.lastIndex(of: "}") else { return nil }
        return try? JSONDecoder().decode(SnapshotStatus.self, from: Data(json[start...end].utf8))
    }
}

/// A saved snapshot: where it is and what is in it.
public struct SnapshotReport: Codable, Sendable {
    public var file: String
    public var member: String
    public var status: SnapshotStatus
    public var sha256: String
    public var seconds: Double
}

/// A restore: where each member's previous data went, and how long it took.
public struct RestoreReport: Codable, Sendable {
    public var file: String
    public var status: SnapshotStatus
    /// Member → the directory its data directory was moved to (never deleted).
    public var keptAside: [String: String]
    public var seconds: Double
}

/// Backups of etcd and their restore, over the members' own etcdctl and certificates (mutual TLS).
/// Save takes the snapshot on a healthy member and copies it here; restore stops the control plane,
/// gives every member a new data directory made from the snapshot (the old one moved aside, never
/// deleted), starts etcd, gates on health, then starts the control plane again.
public struct EtcdSnapshot: LiveClusterWork, Sendable {
    public let live: LiveCluster
    /// How long etcd and the API servers get to become healthy.
    public var timeout: TimeInterval = 120

    public init(cluster: Cluster, hosts: [String: any RemoteHost], progress: @escaping @Sendable (String) -> Void) {
        self.live = LiveCluster(cluster: cluster, hosts: hosts, progress: progress)
    }

    public static let workDirectory = "/var/lib/hardway"
    static let etcdctl = "ETCDCTL_API=3 /usr/local/bin/etcdctl"

    /// etcdctl against one member over mutual TLS; snapshots are taken from a single endpoint.
    static func etcdctl(_ member: Machine, timeout: String = "3s") -> String {
        "\(etcdctl) --endpoints=\(EtcdURL.client(member.address.description)) \(NodeCommands.etcdTLS) --command-timeout=\(timeout)"
    }

    /// The default file name: `<cluster>-etcd-20261129T120000Z.db`.
    public static func defaultName(cluster: String, now: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return "\(cluster)-etcd-\(formatter.string(from: now)).db"
    }

    static func stamp(_ now: Date) -> String {
        String(defaultName(cluster: "", now: now).dropFirst("-etcd-".count).dropLast(3))
    }

    // MARK: save

    public func save(to output: String) throws -> SnapshotReport {
        let started = Date()
        guard let member = try healthyMember() else {
            throw PhaseError(.snapshot, .etcd, "no etcd member is healthy: there is nothing consistent to save",
                             fix: "see `hardway check -f <cluster file>`; a restore from an earlier snapshot is `hardway etcd snapshot restore`")
        }
        let remote = host(member)
        let remoteFile = "\(Self.workDirectory)/snapshot-\(Self.stamp(started)).db"
        progress("  \(member.name): etcdctl snapshot save (a healthy member, over mutual TLS)")
        defer { _ = try? remote.run("rm -f \(shellQuote(remoteFile)) \(shellQuote(remoteFile)).part") }
        try remote.check("mkdir -p -m 0700 \(Self.workDirectory) && \(Self.etcdctl(member, timeout: "600s")) snapshot save \(shellQuote(remoteFile)) >/dev/null",
                         step: "etcdctl snapshot save", timeout: 660)
        let status = try checkedStatus(on: remote, file: remoteFile, name: "the snapshot just taken on \(member.name)")
        let remoteSHA = try remote.check("sha256sum < \(shellQuote(remoteFile)) | cut -d' ' -f1", step: "sha256sum").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        progress("  \(member.name): revision \(status.revision), \(status.totalKey) keys, \(status.totalSize) bytes; copying it here")

        let directory = (output as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) }
        let partial = output + ".part"
        try remote.download(remoteFile, to: partial)
        let localSHA = try FileDigest.sha256(ofFile: partial)
        guard localSHA == remoteSHA else {
            try? FileManager.default.removeItem(atPath: partial)
            throw PhaseError(.snapshot, .etcd, host: member.name, "the copy of the snapshot differs from the member's (sha256 \(localSHA) here, \(remoteSHA) there)",
                             fix: "run it again; if it repeats, look at the disk of this box and of \(member.name)")
        }
        // The copy here checked by this box's own etcdctl too, when it has one.
        if let local = Exec.find("etcdctl") {
            let check = try Exec.run(local, ["snapshot", "status", partial, "-w", "json"], environment: ["ETCDCTL_API": "3"])
            guard check.succeeded, SnapshotStatus.parse(check.stdout) == status else {
                try? FileManager.default.removeItem(atPath: partial)
                throw PhaseError(.snapshot, .etcd, "this box's etcdctl does not read the copied snapshot as \(member.name) did: \(check.tail)",
                                 fix: "run it again")
            }
        }
        chmod(partial, 0o600)
        guard rename(partial, output) == 0 else {
            throw PhaseError(.snapshot, .etcd, "cannot move \(partial) to \(output): \(String(cString: strerror(errno)))", fix: "check the directory's permissions")
        }
        return SnapshotReport(file: output, member: member.name, status: status, sha256: localSHA, seconds: Date().timeIntervalSince(started))
    }

    /// The first member that answers `endpoint health` on its own address.
    func healthyMember() throws -> Machine? {
        for member in cluster.etcdMembers {
            guard let result = try? host(member).run("\(Self.etcdctl(member)) endpoint health 2>&1") else { continue }
            if result.succeeded, result.stdout.contains("is healthy") { return member }
            progress("  \(member.name): not healthy (\(result.tail)); trying the next member")
        }
        return nil
    }

    /// `etcdctl snapshot status` on a host: the snapshot's numbers, or an error naming `name`.
    func checkedStatus(on remote: any RemoteHost, file: String, name: String) throws -> SnapshotStatus {
        let result = try remote.run("\(Self.etcdctl) snapshot status \(shellQuote(file)) -w json 2>&1")
        guard result.succeeded, let status = SnapshotStatus.parse(result.stdout) else {
            throw PhaseError(.snapshot, .etcd, host: remote.name, "\(name) is not a usable etcd snapshot: etcdctl snapshot status says \(result.tail)",
                             fix: "use another snapshot (`hardway etcd snapshot save` makes one)")
        }
        return status
    }


    /// Runs `body` on every machine at once; the first failure (by host order) is thrown.
    func each(_ machines: [Machine], _ body: @escaping @Sendable (Machine) throws -> Void) throws {
        _ = try onHosts(machines, body)
    }

    func wait(for what: String, fix: String, _ probe: () throws -> String?) throws {
        guard let last = try Poll.problem(timeout: timeout, every: 0.5, probe) else { return }
        throw PhaseError(.snapshot, .etcd, "\(what) did not come in \(Int(timeout)) s: \(last)", fix: fix)
    }
}

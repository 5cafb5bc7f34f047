import Foundation
import ClusterModel
import PKI
import Render
import Remote
import Binaries
import Shell
import Phases
import TestSupport

/// The fixture cluster (HAProxy on lb-0, three stacked controllers, two workers) as apply left it
/// through the load balancer: every host a ScriptedHost holding its rendered files and etcd's
/// binaries, its units running, and `applied.json` saying so. Tests change one thing, apply, and
/// read what apply decided from the report, the hosts' records and the ledger.
final class ScriptedCluster {
    let cluster: Cluster
    let rendered: RenderOutput
    var hosts: [String: ScriptedHost] = [:]
    var departed: [String: ScriptedHost] = [:]
    /// The scripted etcd's health and leader, as a test sets them.
    var etcd = ScriptedEtcd.State()
    let directory: String
    var recordPath: String { "\(directory)/applied.json" }
    var binaries: String { "\(directory)/binaries" }

    static let etcdBinaries = ["etcd", "etcdctl"]
    let pki: PKIMaterial
    let ring: EncryptionKeyRing

    /// etcd's stand-in binaries of `version`, recorded as `binaries build` records them, so apply
    /// checks them without running them.
    static func placeEtcd(version: String, in binaries: String) throws {
        try FileManager.default.createDirectory(atPath: binaries, withIntermediateDirectories: true)
        var versions: [String: BinaryVersions.Entry] = [:]
        for name in etcdBinaries {
            let contents = Data("stand-in \(name) \(version)\n".utf8)
            try contents.write(to: URL(fileURLWithPath: "\(binaries)/\(name)"))
            versions[name] = BinaryVersions.Entry(sha256: FileDigest.sha256(contents), version: BinaryVersions.normalized(version))
        }
        try BinaryVersions(directory: binaries).save(versions)
    }

    /// An applier for the same hosts and record under another cluster file (an upgrade: a new
    /// etcdVersion), with etcd's stand-in binaries of its version in the binaries directory.
    func applier(for text: String) throws -> Applier {
        let resolution = ClusterResolver.resolve(text: text)
        guard let changed = resolution.cluster else { throw ScriptError("\(resolution.diagnostics)") }
        try Self.placeEtcd(version: changed.etcdVersion, in: binaries)
        let rendered = try ClusterRenderer.render(RenderInput(cluster: changed, pki: pki, encryption: ring))
        let resolver = BinaryResolver(directory: binaries, downloads: false, cache: "\(directory)/cache", kubernetesVersion: changed.kubernetesVersion,
                                      etcdVersion: changed.etcdVersion)
        return Applier(cluster: changed, rendered: rendered, hosts: hosts.mapValues { $0 as any RemoteHost }, binaries: resolver,
                       recordPath: recordPath, gateTimeout: 2, progress: { _ in })
    }

    init(_ text: String = Fixture.base) throws {
        let resolution = ClusterResolver.resolve(text: text)
        guard let cluster = resolution.cluster else { throw ScriptError("\(resolution.diagnostics)") }
        self.cluster = cluster
        var pki = PKIMaterial()
        for profile in ClusterCertificates.profiles(for: cluster) {
            pki.certificates[profile.name] = "-----BEGIN CERTIFICATE-----\nfixture \(profile.name)\n-----END CERTIFICATE-----\n"
            pki.keys[profile.name] = "-----BEGIN PRIVATE KEY-----\nfixture \(profile.name)\n-----END PRIVATE KEY-----\n"
        }
        let ring = EncryptionKeyRing.initial(provider: .aescbc, secret: Base64.encode(Array(repeating: 7, count: 32)))
        rendered = try ClusterRenderer.render(RenderInput(cluster: cluster, pki: pki, encryption: ring))
        directory = try TemporaryDirectory.make("hardway-scripted")
        self.pki = pki
        self.ring = ring
        try Self.placeEtcd(version: cluster.etcdVersion, in: binaries)
        var record = ApplyRecord()
        for phase in Phase.through(.loadbalancer) { record.phases[phase.rawValue] = Date(timeIntervalSince1970: 1_800_000_000) }
        record.hosts = [:]
        record.files = [:]
        for machine in cluster.hosts {
            let host = ScriptedHost.node(machine.name, address: machine.address.description)
            let files = rendered.node(machine.name)?.files ?? []
            for file in files { host.put(RemoteFile(path: file.path, mode: file.mode, owner: file.owner, contents: Data(file.contents.utf8))) }
            if cluster.etcdMembers.contains(where: { $0.name == machine.name }) {
                for name in Self.etcdBinaries {
                    host.put(RemoteFile(path: "/usr/local/bin/\(name)", mode: 0o755, contents: try Data(contentsOf: URL(fileURLWithPath: "\(binaries)/\(name)"))))
                }
                host.start("etcd")
            }
            if machine.name == cluster.loadBalancer.host?.name { host.start("haproxy") }
            host.start("hardway-pod-routes")
            hosts[machine.name] = host
            record.hosts?[machine.name] = ApplyRecord.RecordedHost(machine, in: cluster)
            record.files?[machine.name] = files.map(\.path).sorted()
        }
        etcd = ScriptedEtcd.serve(cluster.etcdMembers.map { ($0.name, $0.address.description, hosts[$0.name]!) })
        try record.save(recordPath)
    }

    var record: ApplyRecord { (try? ApplyRecord.load(recordPath)) ?? ApplyRecord() }

    func applier() -> Applier {
        let resolver = BinaryResolver(directory: binaries, downloads: false, cache: "\(directory)/cache", kubernetesVersion: cluster.kubernetesVersion,
                                      etcdVersion: cluster.etcdVersion)
        return Applier(cluster: cluster, rendered: rendered, hosts: hosts.mapValues { $0 as any RemoteHost }, binaries: resolver,
                       recordPath: recordPath, departedHosts: departed.mapValues { $0 as any RemoteHost }, gateTimeout: 2, progress: { _ in })
    }

    func apply(until: Phase?, dryRun: Bool = false) throws -> ApplyReport {
        try applier().apply(until: until, dryRun: dryRun)
    }

    /// The commands every host ran since `marks` (counts per host, from `mark()`).
    func commands(since marks: [String: Int] = [:]) -> [String: [String]] {
        (hosts.merging(departed) { $1 }).mapValues { $0 }.reduce(into: [:]) { result, entry in
            result[entry.key] = Array(entry.value.commands.dropFirst(marks[entry.key] ?? 0))
        }
    }

    func mark() -> [String: Int] { (hosts.merging(departed) { $1 }).mapValues(\.commands.count) }

    /// `host/unit` for every restart the report names.
    static func restarts(_ report: ApplyReport) -> [String] {
        report.phases.flatMap(\.hosts).flatMap { step in step.restarted.map { "\(step.host)/\($0)" } }.sorted()
    }

    static func written(_ report: ApplyReport) -> [String] {
        report.phases.flatMap(\.hosts).flatMap { step in (step.written + step.installed).map { "\(step.host):\($0)" } }.sorted()
    }

    struct ScriptError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

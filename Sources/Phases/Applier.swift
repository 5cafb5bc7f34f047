import Foundation
import Crypto
import ClusterModel
import Render
import Remote
import Shell

/// A phase that cannot go on: which host, which step, what it said, what to do.
public struct PhaseError: Error, CustomStringConvertible, Sendable {
    public var phase: Phase
    public var host: String?
    public var message: String
    public var fix: String

    public init(_ phase: Phase, host: String? = nil, _ message: String, fix: String) {
        self.phase = phase
        self.host = host
        self.message = message
        self.fix = fix
    }

    public var description: String { "\(phase.rawValue)\(host.map { " on \($0)" } ?? ""): \(message); \(fix)" }
}

/// What apply (or plan) did or would do on one host in one phase.
public struct HostStep: Codable, Sendable, Equatable {
    public var host: String
    public var written: [String] = []
    public var installed: [String] = []
    public var restarted: [String] = []
    public var notes: [String] = []
    /// Files an earlier apply put there that are no longer rendered for the host (their units stopped).
    public var removed: [String] = []

    public init(host: String, written: [String] = [], installed: [String] = [], restarted: [String] = [], notes: [String] = [],
                removed: [String] = []) {
        self.host = host
        self.removed = removed
        self.written = written
        self.installed = installed
        self.restarted = restarted
        self.notes = notes
    }
}

public struct PhaseReport: Codable, Sendable {
    public var phase: String
    public var seconds: Double
    public var hosts: [HostStep]
}

public struct ApplyReport: Codable, Sendable {
    public var phases: [PhaseReport]
    public var seconds: Double
    public var dryRun: Bool
    public var writes: Int { phases.flatMap(\.hosts).reduce(0) { $0 + $1.written.count + $1.installed.count + $1.removed.count } }
    public var restarts: Int { phases.flatMap(\.hosts).reduce(0) { $0 + $1.restarted.count } }
}

/// Runs the phases on the cluster's hosts: files and binaries only where their sha256 differs,
/// units restarted only when a file they read changed (or they are not running), every phase
/// gated on real health before the next starts.
public final class Applier: @unchecked Sendable {
    public let cluster: Cluster
    public let rendered: RenderOutput
    public let hosts: [String: any RemoteHost]
    public let binaryResolver: BinaryResolver
    public var binariesDirectory: String { binaryResolver.directory }
    public let recordPath: String
    let progress: @Sendable (String) -> Void
    public var gateTimeout: TimeInterval = 90
    /// Hosts an earlier apply set up that the cluster file no longer has, reachable by their old
    /// addresses: apply stops their units and removes their files (see Departures).
    public var departedHosts: [String: any RemoteHost] = [:]

    /// Units whose files or binaries changed in this run, per host: they restart in their phase.
    private var changedUnits: [String: Set<String>] = [:]
    private var dryRun = false
    private var unitFilesChanged: Set<String> = []
    private let lock = NSLock()

    /// Each binary's local file (binaries.dir, <dir>/binaries, or the download cache) and its
    /// sha256, found once per run before the hosts get them.
    private var binaryFiles: [String: (path: String, sha256: String)] = [:]
    /// The image archives of the binaries directory's `images/`, read once per run.
    private(set) var imageArchives: [ImageArchive] = []

    public init(cluster: Cluster, rendered: RenderOutput, hosts: [String: any RemoteHost], binaries: BinaryResolver,
                recordPath: String, progress: @escaping @Sendable (String) -> Void) {
        self.cluster = cluster
        self.rendered = rendered
        self.hosts = hosts
        self.binaryResolver = binaries
        self.recordPath = recordPath
        self.progress = progress
    }

    /// Runs every phase through `until`; with `dryRun`, connects and compares but changes nothing.
    public func apply(until: Phase?, dryRun: Bool = false) throws -> ApplyReport {
        let started = Date()
        self.dryRun = dryRun
        // Restarts an earlier, interrupted apply owed.
        let earlier = ApplyRecord.load(recordPath)
        lock.lock()
        for (host, units) in earlier.pendingRestarts ?? [:] { changedUnits[host, default: []].formUnion(units) }
        unitFilesChanged.formUnion(earlier.pendingReloads ?? [])
        lock.unlock()
        var reports: [PhaseReport] = []
        let phases = Phase.through(until)
        // Every binary found (downloaded when allowed) and its version checked before any host is
        // touched: a wrong version stops the run here, not halfway.
        try checkDepartures()
        try resolveBinaries(phases: phases, download: !dryRun)
        for (index, phase) in phases.enumerated() {
            if dryRun, ![.connect, .distribute, .binaries].contains(phase) {
                reports.append(PhaseReport(phase: phase.rawValue, seconds: 0, hosts: wouldRestart(phase)))
                continue
            }
            let phaseStarted = Date()
            progress("\(Self.bar(index, of: phases.count)) \(phase.rawValue): \(describe(phase))")
            let steps = try run(phase, phases: phases, dryRun: dryRun)
            let seconds = Date().timeIntervalSince(phaseStarted)
            reports.append(PhaseReport(phase: phase.rawValue, seconds: seconds, hosts: steps))
            if !dryRun {
                saveRecord { $0.phases[phase.rawValue] = Date() }
                progress(String(format: "%@: done in %.1f s", phase.rawValue, seconds))
            }
        }
        return ApplyReport(phases: reports, seconds: Date().timeIntervalSince(started), dryRun: dryRun)
    }

    /// `[ 6/12 ▰▰▰▰▰▱▱▱▱▱▱▱]`: where the whole apply stands, at the start of each phase.
    static func bar(_ index: Int, of count: Int) -> String {
        let done = String(repeating: "▰", count: index)
        let left = String(repeating: "▱", count: max(0, count - index))
        return String(format: "[%2d/%d ", index + 1, count) + done + left + "]"
    }

    func describe(_ phase: Phase) -> String {
        switch phase {
        case .connect: return "reaching \(hosts.count) hosts over ssh"
        case .preflight: return "swap, br_netfilter, ip_forward, ports"
        case .distribute: return "node files whose sha256 differs"
        case .binaries: return "binaries whose sha256 differs"
        case .network: return "pod routes on every node"
        case .etcd: return "\(cluster.etcdMembers.count) members, gate: all healthy over mutual TLS"
        case .loadbalancer: return "\(cluster.loadBalancer.kind.rawValue) on \(cluster.loadBalancer.host?.name ?? "-"), gate: listening on \(cluster.api.port)"
        case .controlPlane: return "kube-apiserver, kube-controller-manager, kube-scheduler on \(cluster.controllers.count) controllers, gate: /livez on each and through the endpoint"
        case .rbac: return "the API server's access to the kubelets"
        case .workers: return "containerd, kubelet, kube-proxy on \(cluster.workers.count) workers, gate: every node Ready"
        case .addons: return "CoreDNS, gate: rolled out"
        case .smoke: return "a secret must reach etcd encrypted"
        }
    }

    func run(_ phase: Phase, phases: [Phase], dryRun: Bool) throws -> [HostStep] {
        switch phase {
        case .connect: return try onHosts(cluster.hosts) { try self.connect($0) }
        case .preflight: return try onHosts(cluster.hosts) { try self.preflight($0, phases: phases) }
        case .distribute:
            // A running etcd moving to a new CA is rolled first: written all at once, its files would split it.
            // A member leaving etcd leaves before its host is cleaned or any file changes; one
            // joining is checked for quorum now and joins in the etcd phase.
            let membership = try etcdLeave(dryRun: dryRun) + etcdJoinPrecheck(dryRun: dryRun)
            let departed = try depart(dryRun: dryRun)
            let rolled = try etcdTrustRoll(dryRun: dryRun)
            return Self.merge(Self.merge(try onHosts(cluster.hosts) { try self.distribute($0, dryRun: dryRun) }, rolled), membership) + departed
        case .binaries:
            return try onHosts(cluster.hosts) { try self.binaries($0, phases: phases, dryRun: dryRun) }
        case .network: return try onHosts(cluster.hosts) { try self.startUnits(.network, on: $0) }
        case .etcd:
            try requireBinaries(for: .etcd)
            // A member new to a running etcd joins it first (member add, then started as existing).
            let joined = try etcdJoin()
            if try running("etcd", on: cluster.etcdMembers) == cluster.etcdMembers.count {
                // A running cluster: one member at a time, every member healthy before the next, so
                // quorum holds while certificates, flags or binaries change.
                var steps: [HostStep] = joined
                for member in cluster.etcdMembers where !joined.contains(where: { $0.host == member.name }) {
                    let step = try startUnits(.etcd, on: member)
                    if !step.restarted.isEmpty { try etcdGate() }
                    steps.append(step)
                }
                try etcdGate()
                return steps
            }
            // Members of a new cluster wait for each other: they start together.
            let steps = try onHosts(cluster.etcdMembers) { try self.startUnits(.etcd, on: $0, block: false) }
            try etcdGate()
            return steps
        case .loadbalancer:
            guard let host = cluster.loadBalancer.host else {
                return [HostStep(host: "-", notes: ["loadBalancer.kind \(cluster.loadBalancer.kind.rawValue): nothing to run"])]
            }
            let steps = try onHosts([host]) { try self.loadBalancer($0) }
            return steps
        case .controlPlane:
            try requireBinaries(for: .controlPlane)
            return try controlPlane()
        case .rbac: return try rbac()
        case .workers:
            try requireBinaries(for: .workers)
            return try workers()
        case .addons: return try addons()
        case .smoke: return try smoke()
        }
    }

    /// Runs `body` for every machine in parallel; the first failure (by host order) is thrown.
    func onHosts(_ machines: [Machine], _ body: @escaping @Sendable (Machine) throws -> HostStep) throws -> [HostStep] {
        let results = parallel(machines) { machine -> Result<HostStep, Error> in
            Result { try body(machine) }
        }
        var steps: [HostStep] = []
        for result in results {
            switch result {
            case .success(let step): steps.append(step)
            case .failure(let error): throw error
            }
        }
        return steps
    }

    func host(_ machine: Machine) -> any RemoteHost { hosts[machine.name]! }

    // MARK: connect, preflight

    func connect(_ machine: Machine) throws -> HostStep {
        let facts = try host(machine).check("""
        . /etc/os-release 2>/dev/null; echo "os=$ID $VERSION_ID"; echo "arch=$(uname -m)"; echo "init=$(cat /proc/1/comm)"
        echo "swap=$(tail -n +2 /proc/swaps | wc -l)"
        echo "capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)"
        echo "dropins=$(sed -n 's/^# hardway-lab: //p' /etc/systemd/system/*.d/hardway-lab.conf 2>/dev/null | tr '\\n' '|')"
        """, step: "reading facts")
        let values = Self.keyValues(facts.stdout)
        guard values["init"] == "systemd" else {
            throw PhaseError(.connect, host: machine.name, "PID 1 is \(values["init"] ?? "unknown"), not systemd",
                             fix: "hardway installs systemd units: use a systemd distribution (Debian, Ubuntu, …)")
        }
        progress("  \(machine.name): \(values["os"] ?? "?") \(values["arch"] ?? "?"), systemd")
        var notes = ["\(values["os"] ?? "?") \(values["arch"] ?? "?") swap:\(values["swap"] ?? "?")"]
        // Settings a lab machine carries as drop-ins where it cannot be a VM: shown, never hidden.
        for dropIn in (values["dropins"] ?? "").split(separator: "|") where machine.has(.worker) {
            notes.append("lab drop-in: \(dropIn)")
            progress("  \(machine.name): lab drop-in: \(dropIn)")
        }
        // CAP_SYS_RESOURCE (bit 24) lets containerd run at -999 and hand pods lower OOM scores than its own.
        if machine.has(.worker), let mask = values["capeff"].flatMap({ UInt64($0, radix: 16) }), mask & (1 << 24) == 0 {
            let note = "no CAP_SYS_RESOURCE here: containerd cannot lower OOM scores, so pods keep at least its own (the rendered restrict_oom_score_adj); without it runc fails with `can't get final child's PID from pipe`"
            notes.append(note)
            progress("  \(machine.name): \(note)")
        }
        return HostStep(host: machine.name, notes: notes)
    }

    static func keyValues(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        return values
    }

    func preflight(_ machine: Machine, phases: [Phase]) throws -> HostStep {
        var step = HostStep(host: machine.name)
        let remote = host(machine)
        if machine.has(.worker) {
            try remote.check("if [ \"$(tail -n +2 /proc/swaps | wc -l)\" -gt 0 ]; then swapoff -a; fi", step: "turning swap off")
            try remote.check("[ \"$(cat /proc/sys/net/ipv4/ip_forward)\" = 1 ] || sysctl -q -w net.ipv4.ip_forward=1", step: "enabling ip_forward")
            let bridged = try remote.run("modprobe br_netfilter 2>/dev/null; test -e /proc/sys/net/bridge/bridge-nf-call-iptables")
            if !bridged.succeeded {
                if phases.contains(.workers) {
                    throw PhaseError(.preflight, host: machine.name, "br_netfilter is not loaded and cannot be loaded here",
                                     fix: "load it on the machine's kernel (`modprobe br_netfilter`; on a lab box, on the box itself)")
                }
                step.notes.append("br_netfilter not loaded (needed by the workers phase)")
            }
        }
        // Ports: free, or already held by the unit hardway runs there.
        var wanted: [(Int, String)] = []
        if cluster.etcdMembers.contains(where: { $0.name == machine.name }) { wanted += [(2379, "etcd"), (2380, "etcd")] }
        if cluster.loadBalancer.host?.name == machine.name { wanted.append((cluster.api.port, cluster.loadBalancer.kind.rawValue)) }
        if machine.has(.controller), phases.contains(.controlPlane) {
            wanted += [(6443, "kube-apiserver"), (10257, "kube-controller-manager"), (10259, "kube-scheduler")]
        }
        if machine.has(.worker), phases.contains(.workers) { wanted += [(10250, "kubelet"), (10256, "kube-proxy")] }
        guard !wanted.isEmpty else { return step }
        let listening = try remote.check("ss -Htln", step: "listing listening ports").stdout
        let active = try remote.run("for u in \(Set(wanted.map(\.1)).sorted().joined(separator: " ")); do systemctl is-active --quiet $u && echo $u; done").stdout
        let ours = Set(active.split(separator: "\n").map(String.init))
        for (port, unit) in wanted where !ours.contains(unit) {
            let taken = listening.split(separator: "\n").contains { line in
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                return fields.count > 3 && fields[3].hasSuffix(":\(port)")
            }
            if taken {
                throw PhaseError(.preflight, host: machine.name, "port \(port) (for \(unit)) is taken by another program",
                                 fix: "see `ss -ltnp 'sport = :\(port)'` on \(machine.name) and stop that program")
            }
        }
        return step
    }

    // MARK: distribute, binaries

    /// sha256, mode and owner of each existing path on the host.
    func remoteFiles(_ remote: any RemoteHost, paths: [String]) throws -> [String: (sha256: String, mode: UInt16, owner: String)] {
        guard !paths.isEmpty else { return [:] }
        let script = "for f in \(paths.map(shellQuote).joined(separator: " ")); do if [ -f \"$f\" ]; then " +
            "echo \"$(sha256sum < \"$f\" | cut -d' ' -f1) $(stat -c '%a %U:%G' \"$f\") $f\"; fi; done"
        let output = try remote.check(script, step: "comparing files").stdout
        var result: [String: (String, UInt16, String)] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 3).map(String.init)
            guard fields.count == 4, let mode = UInt16(fields[1], radix: 8) else { continue }
            result[fields[3]] = (fields[0], mode, fields[2])
        }
        return result
    }

    func distribute(_ machine: Machine, dryRun: Bool) throws -> HostStep {
        var step = HostStep(host: machine.name)
        guard let bundle = rendered.node(machine.name) else { return step }
        let remote = host(machine)
        let existing = try remoteFiles(remote, paths: bundle.files.map(\.path))
        let changed = bundle.files.filter { file in
            guard let there = existing[file.path] else { return true }
            return there.sha256 != file.sha256 || there.mode != file.mode || there.owner != file.owner
        }
        step.written = changed.map(\.path)
        step.removed = try removeStale(machine, keeping: Set(bundle.files.map(\.path)), dryRun: dryRun)
        if !dryRun { saveRecord { $0.hosts = ($0.hosts ?? [:]).merging([machine.name: ApplyRecord.RecordedHost(machine, in: cluster)]) { $1 } } }
        guard !changed.isEmpty else { return step }
        if !dryRun {
            try remote.upload(changed.map { RemoteFile(path: $0.path, mode: $0.mode, owner: $0.owner, contents: Data($0.contents.utf8)) })
            progress("  \(machine.name): wrote \(changed.count) of \(bundle.files.count) files")
        }
        markChanged(machine.name, units: changed.flatMap(\.units), unitFiles: changed.map(\.path).filter { $0.hasPrefix("/etc/systemd/system/") })
        if !dryRun { saveRecord { $0.files = ($0.files ?? [:]).merging([machine.name: bundle.files.map(\.path).sorted()]) { $1 } } }
        return step
    }

    /// Files the last apply put on the host that are rendered for it no more (it lost a role, a
    /// worker left): units among them are stopped and disabled, then the files go.
    func removeStale(_ machine: Machine, keeping: Set<String>, dryRun: Bool) throws -> [String] {
        let previous = ApplyRecord.load(recordPath).files?[machine.name] ?? []
        let stale = previous.filter { !keeping.contains($0) }
        guard !stale.isEmpty, !dryRun else { return stale }
        let units = stale.filter { $0.hasPrefix("/etc/systemd/system/") && $0.hasSuffix(".service") }.map { ($0 as NSString).lastPathComponent }
        var script = units.map { "systemctl disable --now --quiet \($0) 2>/dev/null || true" }
        script.append("rm -f " + stale.map(shellQuote).joined(separator: " "))
        if !units.isEmpty { script.append("systemctl daemon-reload") }
        try host(machine).check(script.joined(separator: "; "), step: "removing files no longer rendered")
        progress("  \(machine.name): removed \(stale.count) file\(stale.count == 1 ? "" : "s") no longer rendered for it\(units.isEmpty ? "" : " (stopped \(units.joined(separator: ", ")))")")
        saveRecord { $0.files?[machine.name] = Array(keeping).sorted() }
        return stale
    }

    func markChanged(_ host: String, units: [String], unitFiles: [String] = []) {
        lock.lock()
        changedUnits[host, default: []].formUnion(units)
        if !unitFiles.isEmpty { unitFilesChanged.insert(host) }
        lock.unlock()
        if !dryRun { saveRecord { _ in } }
    }

    /// Writes applied.json with the phases and the restarts and reloads still owed.
    func saveRecord(_ change: (inout ApplyRecord) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        var record = ApplyRecord.load(recordPath)
        change(&record)
        let owed = changedUnits.filter { !$0.value.isEmpty }.mapValues { $0.sorted() }
        record.pendingRestarts = owed.isEmpty ? nil : owed
        record.pendingReloads = unitFilesChanged.isEmpty ? nil : unitFilesChanged.sorted()
        try? record.save(recordPath)
    }

    /// A unit restarted (or a reload done): no longer owed.
    func settled(_ host: String, unit: String? = nil, reloaded: Bool = false) {
        lock.lock()
        if let unit { changedUnits[host]?.remove(unit) }
        if reloaded { unitFilesChanged.remove(host) }
        lock.unlock()
        if !dryRun { saveRecord { _ in } }
    }

    func changed(_ host: String) -> (units: Set<String>, reload: Bool) {
        lock.lock()
        defer { lock.unlock() }
        return (changedUnits[host] ?? [], unitFilesChanged.contains(host))
    }

    static let binaryUnits = ["etcd": "etcd", "etcdctl": "", "kube-apiserver": "kube-apiserver", "kube-controller-manager": "kube-controller-manager",
                              "kube-scheduler": "kube-scheduler", "containerd": "containerd", "containerd-shim-runc-v2": "containerd",
                              "runc": "containerd", "kubelet": "kubelet", "kube-proxy": "kube-proxy"]

    /// Finds (and, unless planning, downloads) every binary the phases need, one at a time, and
    /// checks that each one the cluster file pins says the pinned version.
    func resolveBinaries(phases: [Phase], download: Bool) throws {
        var resolver = binaryResolver
        if !download { resolver.downloads = false }
        var files: [String: (path: String, sha256: String)] = [:]
        for need in cluster.hosts.flatMap({ BinaryNeed.needs(for: $0, cluster: cluster, phases: phases) }) where files[need.source] == nil {
            guard let file = try resolver.file(for: need, progress: progress) else { continue }
            let sha = try FileDigest.sha256(ofFile: file)
            try checkVersion(need, file: file, sha256: sha)
            files[need.source] = (file, sha)
        }
        let archives = phases.contains(.workers) && !cluster.workers.isEmpty ? try imageArchivesOfTheBinariesDirectory() : []
        lock.lock()
        binaryFiles = files
        imageArchives = archives
        lock.unlock()
    }

    func imageArchivesOfTheBinariesDirectory() throws -> [ImageArchive] {
        do {
            return try ImageArchive.list(in: "\(binariesDirectory)/images")
        } catch let error as ShellError {
            throw PhaseError(.binaries, error.message, fix: error.fix ?? "remove it")
        }
    }

    /// A pinned binary (Kubernetes', etcd's) must say the cluster file's version.
    func checkVersion(_ need: BinaryNeed, file: String, sha256: String) throws {
        guard let expected = BinaryVersions.expected(need.name, kubernetesVersion: cluster.kubernetesVersion, etcdVersion: cluster.etcdVersion) else { return }
        let directory = (file as NSString).deletingLastPathComponent
        let found: String
        do {
            found = try BinaryVersions(directory: directory).version(of: (file as NSString).lastPathComponent, name: need.name, sha256: sha256).version
        } catch let error as ShellError {
            throw PhaseError(.binaries, error.message, fix: error.fix ?? "replace it")
        }
        guard found != expected else { return }
        let field = need.kubernetes ? "kubernetesVersion" : "etcdVersion"
        throw PhaseError(.binaries, "\(need.name) in \(directory) is \(found), but the cluster file's \(field) is \(expected)",
                         fix: "run `hardway binaries build -f <cluster file>` to put \(expected) there, or set \(field): \(found) in the cluster file")
    }

    func binaryFile(_ need: BinaryNeed) -> (path: String, sha256: String)? {
        lock.lock()
        defer { lock.unlock() }
        return binaryFiles[need.source]
    }

    func binaries(_ machine: Machine, phases: [Phase], dryRun: Bool) throws -> HostStep {
        var step = HostStep(host: machine.name)
        let needs = BinaryNeed.needs(for: machine, cluster: cluster, phases: phases)
        let available = needs.filter { binaryFile($0) != nil }
        guard !available.isEmpty else { return step }
        let remote = host(machine)
        let existing = try remoteFiles(remote, paths: available.map(\.destination))
        var upload: [RemoteFile] = []
        for need in available {
            let (local, sha) = binaryFile(need)!
            if existing[need.destination]?.sha256 != sha || existing[need.destination]?.mode != 0o755 {
                guard let data = FileManager.default.contents(atPath: local) else {
                    throw PhaseError(.binaries, host: machine.name, "cannot read \(local)", fix: "check its permissions")
                }
                upload.append(RemoteFile(path: need.destination, mode: 0o755, contents: data))
                step.installed.append(need.destination)
                if let unit = Self.binaryUnits[need.name], !unit.isEmpty { markChanged(machine.name, units: [unit]) }
            }
        }
        if machine.has(.worker), phases.contains(.workers) {
            let archives = imageArchives
            let there = try remoteFiles(remote, paths: archives.map(\.destination))
            for archive in archives where there[archive.destination]?.sha256 != archive.sha256 {
                guard let data = FileManager.default.contents(atPath: archive.path) else {
                    throw PhaseError(.binaries, host: machine.name, "cannot read \(archive.path)", fix: "check its permissions")
                }
                upload.append(RemoteFile(path: archive.destination, mode: 0o644, contents: data))
                step.installed.append(archive.destination)
                markChanged(machine.name, units: [Self.imagesUnit])
            }
        }
        if !dryRun, !upload.isEmpty {
            try remote.upload(upload)
            progress("  \(machine.name): installed \(upload.map { ($0.path as NSString).lastPathComponent }.joined(separator: ", "))")
        }
        return step
    }

    /// Not a unit: what a worker owes when an image archive changed (or was never imported).
    static let imagesUnit = "image-import"


    /// A phase's binaries must all be there; a missing one stops it, named, with how to supply it.
    func requireBinaries(for phase: Phase) throws {
        var missing: [String: BinaryNeed] = [:]
        for machine in cluster.hosts {
            for need in BinaryNeed.needs(for: machine, cluster: cluster, phases: [phase]) where binaryFile(need) == nil {
                missing[need.source] = need
            }
        }
        guard !missing.isEmpty else { return }
        let names = missing.keys.sorted()
        let kubernetes = missing.values.contains { $0.kubernetes }
        let example = missing[names[0]]!
        let fix = kubernetes
            ? "run `hardway binaries build -f <cluster file>` (it builds v1.20.2 from Debian's source, or downloads other releases), or put them there yourself (e.g. `curl -fLo \(binariesDirectory)/\(example.source) \(binaryResolver.url(for: example) ?? "")`); or stop before this phase with `--until`"
            : "run `hardway binaries build -f <cluster file>` (it takes them from Debian's packages), or put them there yourself; or stop before this phase with `--until`"
        throw PhaseError(phase, "\(phase.rawValue) needs \(names.joined(separator: ", ")), not in \(binariesDirectory)", fix: fix)
    }

    // MARK: units and gates

    /// Polls `probe` every `interval` until it returns nil (healthy) or the gate's time is up; the
    /// last problem it described is the error.
    func gate(_ phase: Phase, host: String, timeout: TimeInterval? = nil, every interval: TimeInterval = 1, fix: String,
              _ probe: () throws -> String?) throws {
        let deadline = Date().addingTimeInterval(timeout ?? gateTimeout)
        var last = "no answer"
        while Date() < deadline {
            guard let problem = try probe() else { return }
            last = problem
            usleep(UInt32(interval * 1_000_000))
        }
        throw PhaseError(phase, host: host, last, fix: fix)
    }

    /// Enables the phase's units; restarts those whose files changed or that are not running.
    func startUnits(_ phase: Phase, on machine: Machine, block: Bool = true) throws -> HostStep {
        var step = HostStep(host: machine.name)
        guard let bundle = rendered.node(machine.name) else { return step }
        let units = PhaseUnits.units(for: phase, bundle: bundle, cluster: cluster)
        guard !units.isEmpty else { return step }
        let remote = host(machine)
        let (changed, reload) = changed(machine.name)
        if reload {
            try remote.check("systemctl daemon-reload", step: "systemctl daemon-reload")
            settled(machine.name, reloaded: true)
        }
        let active = Set(try remote.run(units.map { "systemctl is-active --quiet \($0) && echo \($0)" }.joined(separator: "; ") + "; true")
            .stdout.split(separator: "\n").map(String.init))
        for unit in units {
            try remote.check("systemctl is-enabled --quiet \(unit) || systemctl enable --quiet \(unit)", step: "enabling \(unit)")
            if changed.contains(unit) || !active.contains(unit) {
                let reload = active.contains(unit) && Self.reloadedUnits.contains(unit)
                try remote.check(reload ? "systemctl reload \(unit)" : "systemctl restart \(block ? "" : "--no-block ")\(unit)", step: "starting \(unit)")
                settled(machine.name, unit: unit)
                step.restarted.append(unit)
                progress("  \(machine.name): \(reload ? "reloaded" : active.contains(unit) ? "restarted" : "started") \(unit)")
            }
        }
        return step
    }

    /// Units that take a new configuration without dropping a connection: the load balancers' new
    /// workers take over the listening sockets (HAProxy's `expose-fd listeners`, nginx's own reload)
    /// while the old ones finish what they serve. A restart would refuse connections meanwhile.
    static let reloadedUnits: Set<String> = ["haproxy", "nginx"]

    /// How many of `machines` run `unit` now.
    func running(_ unit: String, on machines: [Machine]) throws -> Int {
        try onHosts(machines) { machine in
            HostStep(host: machine.name, notes: try self.host(machine).run("systemctl is-active --quiet \(unit)").succeeded ? [unit] : [])
        }.filter { !$0.notes.isEmpty }.count
    }

    /// One step per host: what a phase's two passes did on the same host, together.
    static func merge(_ steps: [HostStep], _ more: [HostStep]) -> [HostStep] {
        var merged = steps
        for extra in more {
            guard let index = merged.firstIndex(where: { $0.host == extra.host }) else { merged.append(extra); continue }
            merged[index].written += extra.written
            merged[index].restarted += extra.restarted
            merged[index].notes = extra.notes + merged[index].notes
        }
        return merged
    }

    /// Every member healthy over mutual TLS, and the member list the size the cluster file says.
    func etcdGate(phase: Phase = .etcd) throws {
        guard let member = cluster.etcdMembers.first else { return }
        let remote = host(member)
        let etcdctl = NodeCommands.etcdctl(endpoints: cluster.etcdClientURLs.joined(separator: ","))
        let count = cluster.etcdMembers.count
        try gate(phase, host: member.name, every: 0.5,
                 fix: "look at `journalctl -u etcd` on each member (`hardway lab ssh HOST -- journalctl -u etcd -n 30`) and at the logs under the cluster directory") {
            let health = try remote.run("\(etcdctl) endpoint health 2>&1")
            let healthy = health.stdout.split(separator: "\n").filter { $0.contains("is healthy") }.count
            let members = try remote.run("\(etcdctl) member list 2>&1")
            let started = members.stdout.split(separator: "\n").filter { $0.contains(", started, ") }.count
            guard healthy == count, started == count else {
                return "etcd did not become healthy in \(Int(gateTimeout)) s (\(healthy)/\(count) healthy, \(started) started: \(health.tail))"
            }
            return nil
        }
        progress("  etcd: \(count)/\(count) members healthy over mutual TLS")
    }

    func loadBalancer(_ machine: Machine) throws -> HostStep {
        let remote = host(machine)
        let program = cluster.loadBalancer.kind == .nginx ? "nginx" : "haproxy"
        let package = program == "nginx" ? "nginx-light libnginx-mod-stream" : "haproxy"
        if !(try remote.run("command -v \(program) >/dev/null")).succeeded {
            progress("  \(machine.name): installing \(package)")
            try remote.check("DEBIAN_FRONTEND=noninteractive apt-get install -y -q \(package)", step: "apt-get install \(package)")
        }
        let step = try startUnits(.loadbalancer, on: machine)
        let address = "\(machine.address):\(cluster.api.port)"
        try gate(.loadbalancer, host: machine.name, timeout: 15, every: 0.3, fix: "look at `journalctl -u \(program) -n 30` on \(machine.name)") {
            let active = try remote.run("systemctl is-active \(program)").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let listening = try remote.run("ss -Htln").stdout.contains(address)
            return active == "active" && listening ? nil : "\(program) is not active and listening on \(address)"
        }
        progress("  \(machine.name): \(program) active and listening on \(address)")
        return step
    }

    /// What a phase would restart, for `plan`.
    func wouldRestart(_ phase: Phase) -> [HostStep] {
        cluster.hosts.compactMap { machine in
            guard let bundle = rendered.node(machine.name) else { return nil }
            let units = PhaseUnits.units(for: phase, bundle: bundle, cluster: cluster)
            let changed = changed(machine.name).units
            let restart = units.filter(changed.contains)
            return restart.isEmpty ? nil : HostStep(host: machine.name, restarted: restart)
        }
    }
}

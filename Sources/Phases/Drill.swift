import Foundation
import ClusterModel
import Remote
import Shell
import Render

/// Fault drills on a running cluster: break one thing, watch the cluster hold, put it back, report
/// the figures. Each drill restores what it broke, even when the cluster did not hold.
public struct Drill: Sendable {
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

    public let cluster: Cluster
    public let hosts: [String: any RemoteHost]
    /// The cluster's PKI directory on this box: the request loop authenticates as admin.
    public let pki: String
    let progress: @Sendable (String) -> Void

    public init(cluster: Cluster, hosts: [String: any RemoteHost], pki: String, progress: @escaping @Sendable (String) -> Void) {
        self.cluster = cluster
        self.hosts = hosts
        self.pki = pki
        self.progress = progress
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
            throw PhaseError(.smoke, "the cluster file has no \(role) to drill", fix: "choose another drill")
        }
        guard let name else { return nil }
        guard let machine = machines.first(where: { $0.name == name }) else {
            throw PhaseError(.smoke, "\(name) is not a \(role) of the cluster file", fix: "use one of \(machines.map(\.name).joined(separator: ", "))")
        }
        return machine
    }

    var api: any RemoteHost { hosts[cluster.controllers[0].name]! }

    func apiHost(avoiding machine: Machine) -> any RemoteHost {
        hosts[(cluster.controllers.first { $0.name != machine.name } ?? cluster.controllers[0]).name]!
    }

    // MARK: controller

    /// The host whose controller manager leads (its lease's holder is `<host>_<uuid>`).
    func leaderHost() -> Machine? {
        let json = (try? api.run("\(Self.kubectl) -n kube-system get lease kube-controller-manager -o json"))?.stdout ?? ""
        guard let holder = KubernetesReadings.lease(json, now: Date())?.holder else { return nil }
        return cluster.controllers.first { holder.hasPrefix($0.name + "_") }
    }

    /// Stops kube-apiserver, the controller manager and the scheduler on one controller while
    /// requests go through the endpoint; the leaders must move and a new pod must be scheduled.
    func controller(_ machine: Machine) throws -> [Figure] {
        guard cluster.controllers.count > 1 else {
            throw PhaseError(.controlPlane, host: machine.name, "the cluster has one controller: stopping it stops the API", fix: "add a controller to drill a controller")
        }
        let remote = hosts[machine.name]!
        let other = apiHost(avoiding: machine)
        let leasesBefore = leaseHolders(on: other)
        let loop = try RequestLoop(cluster: cluster, pki: pki)
        loop.start()
        progress("drill controller: requests through \(cluster.api.url ?? "the endpoint") from this box; stopping kube-apiserver, kube-controller-manager and kube-scheduler on \(machine.name)")
        defer {
            loop.stop()
            _ = try? remote.run("systemctl start kube-apiserver kube-controller-manager kube-scheduler")
        }
        sleep(2)
        let stopped = Date()
        // --no-block: kube-apiserver stops listening at once but drains open requests for up to a minute.
        try remote.check("systemctl stop --no-block kube-apiserver kube-controller-manager kube-scheduler", step: "stopping the control plane")
        var figures: [Figure] = []

        // The leaders: those this host held must move to another controller.
        for lease in ["kube-controller-manager", "kube-scheduler"] {
            guard let before = leasesBefore[lease] else {
                figures.append(Figure(name: "\(lease) leader", value: "none before the drill", ok: false))
                continue
            }
            guard before.holder.hasPrefix(machine.name + "_") else {
                figures.append(Figure(name: "\(lease) leader", value: "stayed on \(before.holder.split(separator: "_")[0]) (not on \(machine.name))", ok: true))
                continue
            }
            var moved: (String, Double)?
            let deadline = stopped.addingTimeInterval(Double(before.duration) * 4)
            while Date() < deadline, moved == nil {
                let holder = leaseHolders(on: other)[lease]?.holder ?? ""
                if !holder.isEmpty, !holder.hasPrefix(machine.name + "_") { moved = (String(holder.split(separator: "_")[0]), Date().timeIntervalSince(stopped)) }
                else { usleep(500_000) }
            }
            let target = Double(before.duration) + 10
            figures.append(Figure(name: "\(lease) leader", value: moved.map { String(format: "moved to %@ in %.1f s (lease %d s)", $0.0, $0.1, before.duration) }
                                      ?? "did not move in \(Int(Double(before.duration) * 4)) s", ok: moved.map { $0.1 <= target } ?? false))
        }

        // A new pod is scheduled while the controller is down.
        let pod = "hardway-drill-\(Int.random(in: 10000...99999))"
        let image = (try? Render.KubernetesRelease.forVersion(cluster.kubernetesVersion).pauseImage) ?? "registry.k8s.io/pause:3.2"
        let create = try other.run("\(Self.kubectl) -n default run \(pod) --image=\(image) --image-pull-policy=IfNotPresent --restart=Never")
        let scheduleStarted = Date()
        var node = ""
        while create.succeeded, node.isEmpty, Date().timeIntervalSince(scheduleStarted) < 60 {
            node = (try? other.run("\(Self.kubectl) -n default get pod \(pod) -o jsonpath='{.spec.nodeName}'"))?.stdout ?? ""
            if node.isEmpty { usleep(300_000) }
        }
        _ = try? other.run("\(Self.kubectl) -n default delete pod \(pod) --wait=false")
        figures.append(Figure(name: "new pod scheduled", value: node.isEmpty ? "not scheduled in 60 s (\(create.succeeded ? "no scheduler leads" : create.tail))"
                                                                          : String(format: "on %@ in %.1f s", node, Date().timeIntervalSince(scheduleStarted)),
                              ok: !node.isEmpty))
        // Long enough down for the load balancer's health checks to take it out.
        while Date().timeIntervalSince(stopped) < 15 { usleep(200_000) }

        progress("drill controller: starting the control plane on \(machine.name) again")
        try remote.check("systemctl start kube-apiserver kube-controller-manager kube-scheduler", step: "starting the control plane")
        let restarted = Date()
        var live = false
        while !live, Date().timeIntervalSince(restarted) < 90 {
            live = (try? remote.run("\(Self.kubectl) get --raw /livez"))?.stdout.hasPrefix("ok") == true
            if !live { usleep(500_000) }
        }
        sleep(3)
        loop.stop()
        let counts = loop.counts
        figures.insert(Figure(name: "requests through the endpoint", value: "\(counts.total) sent, \(counts.failed) failed" + (counts.lastError.map { " (last: \($0))" } ?? ""),
                              ok: counts.failed == 0 && counts.total > 0), at: 0)
        figures.append(Figure(name: "restored", value: live ? String(format: "/livez ok on %@ %.1f s after the start", machine.name, Date().timeIntervalSince(restarted))
                                                              : "/livez not ok on \(machine.name) after 90 s", ok: live))
        return figures
    }

    func leaseHolders(on host: any RemoteHost) -> [String: KubernetesReadings.Lease] {
        var result: [String: KubernetesReadings.Lease] = [:]
        for lease in ["kube-controller-manager", "kube-scheduler"] {
            let json = (try? host.run("\(Self.kubectl) -n kube-system get lease \(lease) -o json"))?.stdout ?? ""
            result[lease] = KubernetesReadings.lease(json, now: Date())
        }
        return result
    }

    // MARK: etcd

    /// A member that does not lead (etcdctl's status of every member), so the default drill does not
    /// also test an election; `--host` picks any.
    func etcdFollower() -> Machine? {
        let member = cluster.etcdMembers[0]
        let statuses = etcdStatuses(from: hosts[member.name]!)
        return cluster.etcdMembers.last { statuses[$0.name].map { !$0.leader } ?? false }
    }

    struct EtcdStatus { var leader: Bool; var revision: Int64; var raftIndex: Int64 }

    func etcdStatuses(from host: any RemoteHost) -> [String: EtcdStatus] {
        let endpoints = cluster.etcdMembers.map { "https://\($0.address):2379" }.joined(separator: ",")
        let json = (try? host.run("\(NodeCommands.etcdctl(endpoints: endpoints)) endpoint status -w json 2>/dev/null"))?.stdout ?? ""
        guard let list = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] else { return [:] }
        var result: [String: EtcdStatus] = [:]
        for entry in list {
            guard let endpoint = entry["Endpoint"] as? String, let status = entry["Status"] as? [String: Any],
                  let member = cluster.etcdMembers.first(where: { endpoint.contains("//\($0.address):") }) else { continue }
            let header = status["header"] as? [String: Any] ?? [:]
            let id = (header["member_id"] as? NSNumber)?.uint64Value ?? 0
            result[member.name] = EtcdStatus(leader: (status["leader"] as? NSNumber)?.uint64Value == id,
                                             revision: (header["revision"] as? NSNumber)?.int64Value ?? 0,
                                             raftIndex: (status["raftIndex"] as? NSNumber)?.int64Value ?? 0)
        }
        return result
    }

    /// Stops one etcd member while objects are written through the endpoint; the writes must go on,
    /// and the member must catch up once started again.
    func etcd(_ machine: Machine) throws -> [Figure] {
        guard cluster.etcdMembers.count >= 3 else {
            throw PhaseError(.etcd, host: machine.name, "etcd has \(cluster.etcdMembers.count) member\(cluster.etcdMembers.count == 1 ? "" : "s"): stopping one loses the quorum",
                             fix: "use 3 etcd members to drill one")
        }
        let remote = hosts[machine.name]!
        let witness = hosts[cluster.etcdMembers.first { $0.name != machine.name }!.name]!
        let loop = try RequestLoop(cluster: cluster, pki: pki, writes: true)
        loop.start()
        progress("drill etcd: writing objects through \(cluster.api.url ?? "the endpoint") from this box; stopping etcd on \(machine.name)")
        defer {
            loop.stop()
            _ = try? remote.run("systemctl start etcd")
            _ = try? api.run("\(Self.kubectl) -n default delete configmap -l \(RequestLoop.label) --wait=false")
        }
        sleep(2)
        let stopping = Date()
        try remote.check("systemctl stop etcd", step: "stopping etcd")
        let stopped = Date()
        sleep(15)
        let during = loop.counts
        let healthy = etcdStatuses(from: witness).count
        progress("drill etcd: starting etcd on \(machine.name) again")
        try remote.check("systemctl start etcd", step: "starting etcd")
        let restarted = Date()
        var caughtUp: Double?
        while caughtUp == nil, Date().timeIntervalSince(restarted) < 60 {
            let statuses = etcdStatuses(from: witness)
            if let mine = statuses[machine.name], let leader = statuses.values.first(where: \.leader), mine.revision >= leader.revision - 5 {
                caughtUp = Date().timeIntervalSince(restarted)
            } else {
                usleep(500_000)
            }
        }
        sleep(2)
        loop.stop()
        let counts = loop.counts
        let late = loop.failures(outside: stopping...stopped.addingTimeInterval(5))
        return [
            // A write in flight to the member at the moment it stops can fail (the API server's etcd
            // client does not retry a write that may have been applied); after that, none may.
            Figure(name: "writes through the endpoint", value: "\(counts.total) sent, \(counts.failed) failed (\(counts.failed - late) as \(machine.name) stopped), \(during.total) while \(machine.name) was down (\(Int(restarted.timeIntervalSince(stopped))) s)" + (counts.lastError.map { " (last: \($0))" } ?? ""),
                   ok: late == 0 && during.total > 0),
            Figure(name: "members answering while down", value: "\(healthy)/\(cluster.etcdMembers.count)", ok: healthy == cluster.etcdMembers.count - 1),
            Figure(name: "member caught up", value: caughtUp.map { String(format: "%@ at the leader's revision %.1f s after the start", machine.name, $0) } ?? "\(machine.name) not caught up after 60 s",
                   ok: caughtUp != nil),
        ]
    }

    // MARK: worker

    /// Stops one kubelet: the node must turn NotReady within the controller manager's grace period
    /// (40 s), `check` must name it, and it must be Ready again once started.
    func worker(_ machine: Machine) throws -> [Figure] {
        let remote = hosts[machine.name]!
        defer { _ = try? remote.run("systemctl start kubelet") }
        progress("drill worker: stopping the kubelet on \(machine.name)")
        try remote.check("systemctl stop kubelet", step: "stopping the kubelet")
        let stopped = Date()
        var notReady: Double?
        while notReady == nil, Date().timeIntervalSince(stopped) < 90 {
            let json = (try? api.run("\(Self.kubectl) get nodes -o json"))?.stdout ?? ""
            if KubernetesReadings.nodes(json)[machine.name]?.ready == false { notReady = Date().timeIntervalSince(stopped) } else { usleep(1_000_000) }
        }
        let record = ApplyRecord(phases: ["workers": Date()])
        let named = Checker(cluster: cluster, hosts: hosts, record: record).nodes().first { $0.subject == machine.name }
        progress("drill worker: starting the kubelet on \(machine.name) again")
        try remote.check("systemctl start kubelet", step: "starting the kubelet")
        let restarted = Date()
        var ready: Double?
        while ready == nil, Date().timeIntervalSince(restarted) < 90 {
            let json = (try? api.run("\(Self.kubectl) get nodes -o json"))?.stdout ?? ""
            if KubernetesReadings.nodes(json)[machine.name]?.ready == true { ready = Date().timeIntervalSince(restarted) } else { usleep(1_000_000) }
        }
        return [
            Figure(name: "node NotReady", value: notReady.map { String(format: "after %.0f s (grace period 40 s)", $0) } ?? "still Ready after 90 s",
                   ok: notReady.map { $0 <= 60 } ?? false),
            Figure(name: "check names it", value: named.map { "\($0.state.rawValue): \($0.detail)" } ?? "no row", ok: named?.state == .failed),
            Figure(name: "Ready again", value: ready.map { String(format: "%.0f s after the start", $0) } ?? "not Ready 90 s after the start", ok: ready != nil),
        ]
    }
}

extension ApplyRecord {
    init(phases: [String: Date]) {
        self.init()
        self.phases = phases
    }
}

/// Requests through the API endpoint from this box, one connection each (curl with the admin
/// certificate, the API server's name verified), on a thread of their own until stopped: what a
/// drill counts. Writes create ConfigMaps labelled for removal.
final class RequestLoop: @unchecked Sendable {
    static let label = "hardway-drill"
    let arguments: [String]
    private let lock = NSLock()
    private var running = false
    private var finished = DispatchSemaphore(value: 0)
    private(set) var total = 0
    private(set) var failed = 0
    /// When each failed request was sent.
    private var failureTimes: [Date] = []
    private var lastError: String?

    init(cluster: Cluster, pki: String, writes: Bool = false) throws {
        guard let url = cluster.api.url else { throw PhaseError(.smoke, "the cluster has no API endpoint", fix: "set api.endpoint") }
        var arguments = ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", "--cacert", "\(pki)/ca.pem",
                         "--cert", "\(pki)/admin.pem", "--key", "\(pki)/admin-key.pem"]
        if writes {
            let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"hardway-drill-","labels":{"hardway-drill":"true"}},"data":{"written":"during a drill"}}"#
            arguments += ["-X", "POST", "-H", "Content-Type: application/json", "-d", body, "\(url)/api/v1/namespaces/default/configmaps"]
        } else {
            arguments += ["\(url)/api/v1/namespaces/default"]
        }
        self.arguments = arguments
    }

    var counts: (total: Int, failed: Int, lastError: String?) {
        lock.lock()
        defer { lock.unlock() }
        return (total, failed, lastError)
    }

    func start() {
        lock.lock()
        running = true
        lock.unlock()
        Thread.detachNewThread { [self] in
            while isRunning {
                let sent = Date()
                let result = try? Exec.run("curl", arguments)
                let code = result?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                lock.lock()
                total += 1
                if !(code == "200" || code == "201") {
                    failed += 1
                    failureTimes.append(sent)
                    lastError = code.isEmpty || code == "000" ? (result?.tail ?? "curl did not run") : "HTTP \(code)"
                }
                lock.unlock()
                usleep(50_000)
            }
            finished.signal()
        }
    }

    /// Failed requests sent outside `window`.
    func failures(outside window: ClosedRange<Date>) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return failureTimes.filter { !window.contains($0) }.count
    }

    var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return running
    }

    func stop() {
        lock.lock()
        let was = running
        running = false
        lock.unlock()
        if was { finished.wait() }
    }
}

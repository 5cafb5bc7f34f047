import Foundation
import ClusterModel
import Remote
import Shell

/// One line of `hardway check`: what was looked at, where, and whether it is healthy.
public struct CheckRow: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case ok, failed, notApplied = "not applied"
        /// Switched off in the cluster file (addons.dns: false): nothing to check, and not a pass.
        case notDeployed = "not deployed"
        /// Healthy now, but needs doing soon (a certificate within 30 days of expiry): does not fail.
        case warning
    }

    public var area: String
    public var subject: String
    public var state: State
    public var detail: String

    public init(area: String, subject: String, state: State, detail: String) {
        (self.area, self.subject, self.state, self.detail) = (area, subject, state, detail)
    }
}

/// Live checks of what `apply` put on the hosts. Phases not applied yet are shown as such and do
/// not fail the check.
public struct Checker: LiveClusterWork, Sendable {
    public let live: LiveCluster
    public let record: ApplyRecord

    public init(live: LiveCluster, record: ApplyRecord) {
        self.live = live
        self.record = record
    }

    public init(cluster: Cluster, hosts: [String: any RemoteHost], record: ApplyRecord) {
        self.init(live: LiveCluster(cluster: cluster, hosts: hosts), record: record)
    }

    public func run() -> [CheckRow] {
        var rows: [CheckRow] = []
        rows += record.applied(.etcd) ? etcd() : [CheckRow(area: "etcd", subject: "\(cluster.etcdMembers.count) members", state: .notApplied, detail: "run `hardway apply`")]
        if cluster.loadBalancer.host != nil {
            rows += record.applied(.loadbalancer) ? loadBalancer()
                : [CheckRow(area: "load balancer", subject: cluster.loadBalancer.host!.name, state: .notApplied, detail: "run `hardway apply --until loadbalancer`")]
        }
        if !cluster.workers.isEmpty {
            rows += record.applied(.network) ? podNetwork()
                : [CheckRow(area: "pod network", subject: "\(cluster.workers.count) workers", state: .notApplied, detail: "run `hardway apply`")]
        }
        // The API is asked through a controller that answers: one frozen behind the load balancer
        // fails its own row, not every row after it (each kubectl would wait out its time limit).
        var api = firstController
        if record.applied(.controlPlane) {
            let livez = apiServers()
            api = zip(cluster.controllers, livez).first { $0.1.state == .ok }?.0 ?? firstController
            rows += livez + controlPlane(via: api)
        }
        if record.applied(.workers) { rows += nodes(via: api) }
        if record.applied(.addons) { rows += dns(via: api) }
        if record.applied(.etcd) { rows += versions() }
        for phase in [Phase.controlPlane, .workers, .addons] where !record.applied(phase) {
            rows.append(CheckRow(area: phase.rawValue, subject: "-", state: .notApplied, detail: "not applied yet"))
        }
        return rows
    }

    // MARK: control plane, nodes

    /// /livez per controller, each on its own 127.0.0.1:6443, all at once.
    func apiServers() -> [CheckRow] {
        let kubectl = KubernetesReadings.kubectl
        return parallel(cluster.controllers, limit: live.parallelism) { controller -> CheckRow in
            let livez: ExecResult? = (try? hosts[controller.name]?.run("\(kubectl) get --raw /livez 2>&1")) ?? nil
            let ok = livez?.succeeded == true && livez?.stdout.hasPrefix("ok") == true
            return CheckRow(area: "control plane", subject: controller.name, state: ok ? .ok : .failed,
                            detail: ok ? "kube-apiserver /livez ok" : "kube-apiserver /livez: \(livez?.tail ?? "no answer on ssh")")
        }
    }

    /// /livez through the endpoint, the leader-election holders, and a secret stored encrypted in
    /// etcd, asked on `api`.
    func controlPlane(via api: Machine?) -> [CheckRow] {
        let kubectl = KubernetesReadings.kubectl
        var rows: [CheckRow] = []
        guard let api, let host = hosts[api.name] else { return rows }
        if let url = cluster.api.url {
            let livez = try? host.run("\(kubectl) --server \(url) get --raw /livez 2>&1")
            let ok = livez?.succeeded == true && livez?.stdout.hasPrefix("ok") == true
            rows.append(CheckRow(area: "control plane", subject: "endpoint", state: ok ? .ok : .failed,
                                 detail: ok ? "/livez through \(url), certificate name verified" : "/livez through \(url): \(livez?.tail ?? "no answer")"))
        }
        for lease in ["kube-controller-manager", "kube-scheduler"] {
            let json = (try? host.run("\(kubectl) -n kube-system get lease \(lease) -o json"))?.stdout ?? ""
            let leader = KubernetesReadings.lease(json, now: Date())
            let state: CheckRow.State = leader.map { $0.secondsSinceRenewal <= Double($0.duration) * 2 } == true ? .ok : .failed
            rows.append(CheckRow(area: "control plane", subject: "\(lease) leader", state: state,
                                 detail: leader.map { "held by \($0.holder), renewed \(Int($0.secondsSinceRenewal)) s ago" + (state == .ok ? "" : " (lease \($0.duration) s): the leader is gone and no one took over") }
                                     ?? "no leader elected"))
        }
        if let member = cluster.etcdMembers.first, let etcdHost = hosts[member.name] {
            let problem: String?
            do {
                problem = try KubernetesReadings.encryptionProblem(cluster: cluster, apiHost: host, etcdHost: etcdHost, secret: "hardway-check")
            } catch {
                problem = "\(error)"
            }
            rows.append(CheckRow(area: "encryption at rest", subject: cluster.encryption.provider.rawValue, state: problem == nil ? .ok : .failed,
                                 detail: problem ?? "a new secret is stored with \(KubernetesReadings.encryptionPrefix(cluster.encryption.provider))"))
        }
        return rows
    }

    /// Every worker a Ready node, with the kubelet's version and the container runtime it reports.
    func nodes(via api: Machine? = nil) -> [CheckRow] {
        guard let first = api ?? firstController, let host = hosts[first.name] else { return [] }
        let json = (try? host.run("\(KubernetesReadings.kubectl) get nodes -o json"))?.stdout ?? ""
        let nodes = KubernetesReadings.nodes(json)
        let known = Set(cluster.workers.map(\.name))
        let strangers = nodes.keys.filter { !known.contains($0) }.sorted().map { name in
            CheckRow(area: "nodes", subject: name, state: .failed,
                     detail: "registered but not in the cluster file: if it left, `kubectl drain \(name) --ignore-daemonsets --delete-emptydir-data` then `kubectl delete node \(name)`; else add it to the file")
        }
        return strangers + cluster.workers.map { worker in
            guard let node = nodes[worker.name] else {
                return CheckRow(area: "nodes", subject: worker.name, state: .failed, detail: "not registered: look at `journalctl -u kubelet -n 40` on \(worker.name)")
            }
            let versions = "\(node.kubeletVersion), \(node.runtime)"
            return CheckRow(area: "nodes", subject: worker.name, state: node.ready ? .ok : .failed,
                            detail: node.ready ? "Ready (\(versions))" : "NotReady (\(versions)): \(node.reason)")
        }
    }

    /// CoreDNS rolled out, or shown as not deployed when the cluster file switches it off.
    func dns(via api: Machine?) -> [CheckRow] {
        guard cluster.addons.dns else {
            return [CheckRow(area: "dns", subject: "coredns", state: .notDeployed, detail: "addons.dns: false in the cluster file: nothing resolves cluster names")]
        }
        guard let first = api ?? firstController, let host = hosts[first.name] else { return [] }
        let json = (try? host.run("\(KubernetesReadings.kubectl) -n kube-system get deployment coredns -o json"))?.stdout ?? ""
        let ready = KubernetesReadings.rolledOut(json)
        return [CheckRow(area: "dns", subject: "coredns", state: ready ? .ok : .failed,
                         detail: ready ? "rolled out at \(cluster.network.dnsServiceIP)" : "not rolled out: see `kubectl -n kube-system describe pods -l k8s-app=kube-dns`")]
    }

    // MARK: etcd

    struct EndpointStatus: Decodable {
        struct Status: Decodable {
            struct Header: Decodable { var member_id: UInt64 }
            var header: Header
            var leader: UInt64
            var dbSize: Int64
            var version: String
        }
        var Endpoint: String
        var Status: Status
    }

    /// Per member: reachable over mutual TLS, leader or follower, database size. Asked from the
    /// first member whose host answers on ssh, so one stopped etcd does not hide the others.
    func etcd() -> [CheckRow] {
        let script = cluster.etcdMembers.map { member in
            "echo '== \(member.name)'; \(NodeCommands.etcdctl(endpoints: EtcdURL.client(member.address.description))) endpoint status -w json 2>&1; echo"
        }.joined(separator: "; ") + "; echo '== member list'; \(NodeCommands.etcdctl(endpoints: cluster.etcdClientURLs.joined(separator: ","))) member list 2>&1; echo"
        var output: String?
        var asked = ""
        for member in cluster.etcdMembers {
            if let result = try? hosts[member.name]?.run(script), result.succeeded || !result.stdout.isEmpty {
                output = result.stdout
                asked = member.name
                break
            }
        }
        guard let output else {
            return [CheckRow(area: "etcd", subject: "members", state: .failed, detail: "no member's host answers on ssh")]
        }
        var sections: [String: String] = [:]
        var current: String?
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("== ") { current = String(line.dropFirst(3)); continue }
            if let current { sections[current, default: ""] += line + "\n" }
        }
        var rows: [CheckRow] = []
        for member in cluster.etcdMembers {
            let text = sections[member.name] ?? ""
            if let status = try? JSONDecoder().decode([EndpointStatus].self, from: Data(text.utf8)).first {
                let role = status.Status.leader == status.Status.header.member_id ? "leader" : "follower"
                rows.append(CheckRow(area: "etcd", subject: member.name, state: .ok,
                                     detail: "healthy, \(role), db \(Self.size(status.Status.dbSize)), v\(status.Status.version) (asked from \(asked))"))
            } else {
                // etcdctl's own summary line ("Failed to get the status of endpoint … (reason)"), not its JSON log lines.
                let lines = text.split(separator: "\n").map(String.init).filter { !$0.isEmpty && $0 != "[]" }
                let reason = lines.first { $0.hasPrefix("Failed") || $0.hasPrefix("Error") } ?? lines.last ?? "no answer"
                rows.append(CheckRow(area: "etcd", subject: member.name, state: .failed,
                                     detail: "unreachable over mutual TLS at \(member.address):2379: \(reason.split(separator: "(").last.map { "(" + $0 } ?? reason)"))
            }
        }
        let healthy = rows.filter { $0.state == .ok }.count
        // A member etcd lists and the file does not: it still counts for quorum, so a lost one
        // makes the cluster one failure closer to stopping.
        for stale in Self.staleMembers(sections["member list"] ?? "", known: Set(cluster.etcdMembers.map(\.name))) {
            rows.append(CheckRow(area: "etcd", subject: "member \(stale.name.isEmpty ? stale.id : stale.name)", state: .failed,
                                 detail: "etcd lists it (id \(stale.id), \(stale.peerURLs.joined(separator: ","))) but the cluster file does not: it counts for quorum; " +
                                     "remove it on a member: `\(NodeCommands.etcdctl()) member remove \(stale.id)`"))
        }
        let needed = cluster.etcdMembers.count / 2 + 1
        rows.append(CheckRow(area: "etcd", subject: "quorum", state: healthy == cluster.etcdMembers.count ? .ok : .failed,
                             detail: "\(healthy)/\(cluster.etcdMembers.count) healthy (quorum needs \(needed))" + (healthy >= needed && healthy < cluster.etcdMembers.count ? ": still serving, one more failure from losing it" : "")))
        return rows
    }

    /// The members `etcdctl member list` lists that are not `known`; an unstarted member has no
    /// name yet and is named by its id.
    public static func staleMembers(_ list: String, known: Set<String>) -> [EtcdMemberEntry] {
        EtcdMemberEntry.parse(list).filter { !known.contains($0.name) }
    }

    static func size(_ bytes: Int64) -> String {
        bytes < 1_048_576 ? "\(bytes / 1024) KiB" : String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }

    // MARK: load balancer

    /// Listening on the endpoint address, and each backend up or down as HAProxy sees it (its
    /// admin socket), or, for nginx, as a TCP connection from the load balancer finds it.
    func loadBalancer() -> [CheckRow] {
        guard let machine = cluster.loadBalancer.host, let host = hosts[machine.name] else { return [] }
        let program = cluster.loadBalancer.kind == .nginx ? "nginx" : "haproxy"
        let address = "\(machine.address):\(cluster.api.port)"
        guard let listening = try? host.run("systemctl is-active \(program); ss -Htln") else {
            return [CheckRow(area: "load balancer", subject: machine.name, state: .failed, detail: "does not answer on ssh")]
        }
        let active = listening.stdout.hasPrefix("active\n")
        var rows = [CheckRow(area: "load balancer", subject: machine.name, state: active && listening.stdout.contains(address) ? .ok : .failed,
                             detail: active ? (listening.stdout.contains(address) ? "\(program) listening on \(address)" : "\(program) not listening on \(address)") : "\(program) is not running")]
        var states: [String: Bool] = [:]
        if program == "haproxy", let stats = try? host.run("echo 'show stat' | socat stdio /run/haproxy/admin.sock"), stats.succeeded {
            // CSV: pxname, svname, …, status (18th), …, check_status (37th). A server counts as up only
            // when its last health check passed: HAProxy starts servers UP before any check ran.
            for line in stats.stdout.split(separator: "\n") where line.hasPrefix("kube-apiservers,") {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard fields.count > 36, fields[1] != "BACKEND" else { continue }
                states[fields[1]] = fields[17].hasPrefix("UP") && fields[36].hasSuffix("OK")
            }
        } else {
            let probes = cluster.controllers.map { "if timeout 2 bash -c '</dev/tcp/\($0.address)/6443' 2>/dev/null; then echo '\($0.name) up'; else echo '\($0.name) down'; fi" }
            for line in ((try? host.run(probes.joined(separator: "; ")))?.stdout ?? "").split(separator: "\n") {
                let fields = line.split(separator: " ")
                if fields.count == 2 { states[String(fields[0])] = fields[1] == "up" }
            }
        }
        // Before the control plane is applied no API server listens: a down backend is expected then.
        let expected = record.applied(.controlPlane)
        for controller in cluster.controllers {
            let up = states[controller.name]
            let detail = up == nil ? "unknown" : (up! ? "up (\(controller.address):6443)" : "down (\(controller.address):6443)")
            rows.append(CheckRow(area: "load balancer", subject: "backend \(controller.name)",
                                 state: up == true ? .ok : (expected ? .failed : .notApplied),
                                 detail: expected || up == true ? detail : detail + ": no API server yet (control plane not applied)"))
        }
        return rows
    }
}

extension Checker {
    static let podCheckNamespace = "hardway-podcheck"

    /// The pod network without a kubelet: on each worker a throwaway namespace joined to the pod
    /// bridge by the real CNI bridge, host-local and loopback plugins with the rendered config; then
    /// every worker's pod pings every other worker's pod across the pod routes; then it is all removed.
    func podNetwork() -> [CheckRow] {
        let workers = cluster.workers
        guard workers.count > 0 else { return [] }
        let environment = "CNI_PATH=/opt/cni/bin CNI_CONTAINERID=\(Self.podCheckNamespace) CNI_NETNS=/run/netns/\(Self.podCheckNamespace)"
        let remove = "CNI_COMMAND=DEL CNI_IFNAME=eth0 \(environment) /opt/cni/bin/bridge < /etc/cni/net.d/10-bridge.conf >/dev/null 2>&1; " +
            "ip netns del \(Self.podCheckNamespace) 2>/dev/null; true"
        let add = """
        \(remove)
        ip netns add \(Self.podCheckNamespace) || exit 1
        CNI_COMMAND=ADD CNI_IFNAME=lo \(environment) /opt/cni/bin/loopback < /etc/cni/net.d/99-loopback.conf >/dev/null || exit 1
        CNI_COMMAND=ADD CNI_IFNAME=eth0 \(environment) /opt/cni/bin/bridge < /etc/cni/net.d/10-bridge.conf
        """
        // 1. A pod on every worker; its address from the plugin's result.
        let added = parallel(workers, limit: live.parallelism) { worker -> (String, String?, String) in
            guard let host = hosts[worker.name], let result = try? host.run(add) else { return (worker.name, nil, "does not answer on ssh") }
            struct CNIResult: Decodable { struct IP: Decodable { var address: String }; var ips: [IP] }
            // What a worker printed reaches a root command on the others: only as an IPv4 address.
            if result.succeeded, let parsed = try? JSONDecoder().decode(CNIResult.self, from: Data(result.stdout.utf8)),
               let text = parsed.ips.first?.address.split(separator: "/").first, let address = IPv4Address(String(text)) {
                return (worker.name, address.description, "")
            }
            return (worker.name, nil, "CNI ADD failed: \(result.tail)")
        }
        defer { _ = parallel(workers, limit: live.parallelism) { worker in _ = try? hosts[worker.name]?.run(remove) } }
        var rows: [CheckRow] = []
        let pods = Dictionary(uniqueKeysWithValues: added.compactMap { entry in entry.1.map { (entry.0, $0) } })
        for (worker, address, problem) in added where address == nil {
            rows.append(CheckRow(area: "pod network", subject: worker, state: .failed, detail: problem))
        }
        // 2. Every pod to every other worker's pod.
        let results = parallel(workers.filter { pods[$0.name] != nil }, limit: live.parallelism) { worker -> CheckRow in
            let targets = workers.filter { $0.name != worker.name && pods[$0.name] != nil }
            let script = targets.map { "ip netns exec \(Self.podCheckNamespace) ping -c 1 -W 2 \(shellQuote(pods[$0.name]!)) >/dev/null && echo \(shellQuote($0.name + " ok")) || echo \(shellQuote($0.name + " lost"))" }
                .joined(separator: "; ")
            guard !targets.isEmpty else {
                return CheckRow(area: "pod network", subject: worker.name, state: .ok, detail: "pod \(pods[worker.name]!) up (no other worker to reach)")
            }
            let output = (try? hosts[worker.name]?.run(script))??.stdout ?? ""
            let lost = targets.filter { !output.contains("\($0.name) ok") }.map(\.name)
            return CheckRow(area: "pod network", subject: worker.name, state: lost.isEmpty ? .ok : .failed,
                            detail: lost.isEmpty ? "pod \(pods[worker.name]!) reaches the pods on \(targets.map(\.name).joined(separator: ", "))"
                                                 : "pod \(pods[worker.name]!) cannot reach the pods on \(lost.joined(separator: ", ")) (pod routes, ip_forward)")
        }
        return rows + results
    }
}

/// The certificates row of `check`: the one that expires first, a warning from 30 days before, a
/// failure once expired, each with the commands that renew it.
public enum CertificateExpiry {
    public static let warningDays = 30

    public static func row(count: Int, first name: String, notAfter: Date, isCA: Bool, now: Date, clusterFile: String) -> CheckRow {
        let day = ISO8601DateFormatter.string(from: notAfter, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        let left = notAfter.timeIntervalSince(now)
        let days = Int((left / 86_400).rounded(.down))
        let subject = "\(count) in pki/"
        let renew = isCA
            ? "a new CA: `hardway pki issue -f \(clusterFile) --new-ca`, then `hardway render` and `hardway apply` (every certificate changes)"
            : "`hardway pki issue -f \(clusterFile) --renew \(name)` (plain `pki issue` renews every one within \(warningDays) days), then `hardway render -f \(clusterFile)` and `hardway apply -f \(clusterFile)`, which restarts what uses it one host at a time"
        if left <= 0 {
            return CheckRow(area: "certificates", subject: subject, state: .failed, detail: "\(name) expired on \(day); renew it with \(renew)")
        }
        if days < warningDays {
            return CheckRow(area: "certificates", subject: subject, state: .warning, detail: "\(name) expires on \(day), in \(days) days; renew it with \(renew)")
        }
        return CheckRow(area: "certificates", subject: subject, state: .ok, detail: "first to expire: \(name) on \(day) (\(days) days)")
    }
}

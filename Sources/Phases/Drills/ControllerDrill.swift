import Foundation
import ClusterModel
import Render
import Remote
import Shell

/// `drill controller`: kube-apiserver, the controller manager and the scheduler stop on one
/// controller while requests go through the endpoint; the leaders must move, a new pod must be
/// scheduled, and no request may fail.
extension Drill {
    /// The host whose controller manager leads (its lease's holder is `<host>_<uuid>`).
    func leaderHost() -> Machine? {
        let json = (try? api.run("\(Self.kubectl) -n kube-system get lease kube-controller-manager -o json"))?.stdout ?? ""
        guard let holder = KubernetesReadings.lease(json, now: Date())?.holder else { return nil }
        return cluster.controllers.first { holder.hasPrefix($0.name + "_") }
    }

    func controller(_ machine: Machine) throws -> [Figure] {
        guard cluster.controllers.count > 1 else {
            throw DrillError(.wouldBreakCluster, "the cluster has one controller: stopping it stops the API", fix: "add a controller to drill a controller")
        }
        let remote = host(machine)
        let other = apiHost(avoiding: machine)
        let leasesBefore = leaseHolders(on: other)
        let loop = try RequestLoop(cluster: cluster, pki: pki)
        loop.start()
        progress("drill controller: requests through \(cluster.api.url ?? "the endpoint") from this box; stopping kube-apiserver, kube-controller-manager and kube-scheduler on \(machine.name)")
        defer {
            loop.stop()
            _ = try? remote.run("systemctl start kube-apiserver kube-controller-manager kube-scheduler")
        }
        Poll.sleep(seconds: 2)
        let stopped = Date()
        // --no-block: kube-apiserver stops listening at once but drains open requests for up to a minute.
        try remote.check("systemctl stop --no-block kube-apiserver kube-controller-manager kube-scheduler", step: "stopping the control plane")
        var figures = ["kube-controller-manager", "kube-scheduler"].map { leaderMoved($0, off: machine, before: leasesBefore[$0], since: stopped, asking: other) }
        figures.append(podScheduled(asking: other))
        // Long enough down for the load balancer's health checks to take it out.
        Poll.sleep(seconds: 15 - Date().timeIntervalSince(stopped))

        progress("drill controller: starting the control plane on \(machine.name) again")
        try remote.check("systemctl start kube-apiserver kube-controller-manager kube-scheduler", step: "starting the control plane")
        let restarted = Date()
        let live = Poll.seconds(since: restarted, timeout: 90, every: 0.5) {
            (try? remote.run("\(Self.kubectl) get --raw /livez"))?.stdout.hasPrefix("ok") == true
        }
        Poll.sleep(seconds: 3)
        loop.stop()
        figures.insert(loop.figure(name: "requests through the endpoint"), at: 0)
        figures.append(Figure(name: "restored", value: live.map { String(format: "/livez ok on %@ %.1f s after the start", machine.name, $0) }
                                  ?? "/livez not ok on \(machine.name) after 90 s", ok: live != nil))
        return figures
    }

    /// A leader this host held must move to another controller, within the lease's duration and 10 s.
    func leaderMoved(_ lease: String, off machine: Machine, before: KubernetesReadings.Lease?, since stopped: Date, asking other: any RemoteHost) -> Figure {
        guard let before else { return Figure(name: "\(lease) leader", value: "none before the drill", ok: false) }
        guard before.holder.hasPrefix(machine.name + "_") else {
            return Figure(name: "\(lease) leader", value: "stayed on \(before.holder.split(separator: "_")[0]) (not on \(machine.name))", ok: true)
        }
        let limit = Double(before.duration) * 4
        let moved: (String, Double)? = Poll.until(timeout: limit - Date().timeIntervalSince(stopped), every: 0.5) {
            let holder = leaseHolders(on: other)[lease]?.holder ?? ""
            guard !holder.isEmpty, !holder.hasPrefix(machine.name + "_") else { return nil }
            return (String(holder.split(separator: "_")[0]), Date().timeIntervalSince(stopped))
        }
        let target = Double(before.duration) + 10
        return Figure(name: "\(lease) leader", value: moved.map { String(format: "moved to %@ in %.1f s (lease %d s)", $0.0, $0.1, before.duration) }
                          ?? "did not move in \(Int(limit)) s", ok: moved.map { $0.1 <= target } ?? false)
    }

    /// A new pod is scheduled while the controller is down.
    func podScheduled(asking other: any RemoteHost) -> Figure {
        let pod = "hardway-drill-\(Int.random(in: 10000...99999))"
        let image = (try? KubernetesRelease.forVersion(cluster.kubernetesVersion).pauseImage) ?? "registry.k8s.io/pause:3.2"
        let create = (try? other.run("\(Self.kubectl) -n default run \(pod) --image=\(image) --image-pull-policy=IfNotPresent --restart=Never"))
        let started = Date()
        let node: String? = create?.succeeded == true ? Poll.until(timeout: 60, every: 0.3) {
            let name = (try? other.run("\(Self.kubectl) -n default get pod \(pod) -o jsonpath='{.spec.nodeName}'"))?.stdout ?? ""
            return name.isEmpty ? nil : name
        } : nil
        _ = try? other.run("\(Self.kubectl) -n default delete pod \(pod) --wait=false")
        return Figure(name: "new pod scheduled", value: node.map { String(format: "on %@ in %.1f s", $0, Date().timeIntervalSince(started)) }
                          ?? "not scheduled in 60 s (\(create?.succeeded == true ? "no scheduler leads" : create?.tail ?? "kubectl did not run"))",
                      ok: node != nil)
    }

    func leaseHolders(on host: any RemoteHost) -> [String: KubernetesReadings.Lease] {
        var result: [String: KubernetesReadings.Lease] = [:]
        for lease in ["kube-controller-manager", "kube-scheduler"] {
            let json = (try? host.run("\(Self.kubectl) -n kube-system get lease \(lease) -o json"))?.stdout ?? ""
            result[lease] = KubernetesReadings.lease(json, now: Date())
        }
        return result
    }
}

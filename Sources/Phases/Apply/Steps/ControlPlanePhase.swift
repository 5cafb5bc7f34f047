import Foundation
import ClusterModel
import Binaries

/// The API servers, controller managers and schedulers. A serving control plane changes one
/// controller at a time, each live before the next, so the endpoint always has API servers behind
/// it. Gate: /livez on every controller, then through the endpoint with the admin certificate, the
/// API server's name verified.
struct ControlPlanePhase: ApplyPhase {
    let id = Phase.controlPlane
    let units = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"]

    func title(_ cluster: Cluster) -> String {
        "kube-apiserver, kube-controller-manager, kube-scheduler on \(cluster.controllers.count) controllers, gate: /livez on each and through the endpoint"
    }

    func binaries(for machine: Machine, in cluster: Cluster) -> [BinaryNeed] {
        machine.has(.controller) ? BinaryNeed.named(["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"], kubernetes: true) : []
    }

    func run(_ run: ApplyRun) throws -> [HostStep] {
        try run.requireBinaries(for: id)
        let controllers = run.cluster.controllers
        guard try run.running("kube-apiserver", on: controllers) > 0 else {
            let steps = try run.onHosts(controllers) { controller in
                try run.installHeld(controller, for: id)
                return try run.startUnits(self, on: controller)
            }
            // The workers' units start now too when this run sets them up: a kubelet's own start
            // (about 5 s reading file systems, then registration, retried) overlaps the API servers'.
            if run.phases.contains(.workers), !run.planning { try WorkersPhase.startAhead(run) }
            for controller in controllers { try run.apiServerLive(controller, phase: id) }
            return steps
        }
        // A serving control plane rolls one controller at a time: taken out of the load balancer
        // before its API server restarts, ready again and back in before the next one goes. The
        // controllers that owe nothing are looked at first, together.
        let owing = Set(controllers.filter { !run.ledger.owed($0.name).units.isDisjoint(with: units) || run.upgrading($0, in: id) }.map(\.name))
        var steps = try run.onHosts(controllers.filter { !owing.contains($0.name) }) { controller in
            let step = try run.startUnits(self, on: controller)
            try run.apiServerLive(controller, phase: id)
            return step
        }
        let balancer = APIBalancer(run: run)
        for controller in controllers where owing.contains(controller.name) {
            // An upgrade's new binaries go on at the controller's turn, never two controllers at once.
            let upgraded = run.upgrading(controller, in: id)
            let installed = upgraded ? try run.installHeld(controller, for: id) : []
            let restarting = try run.willRestart("kube-apiserver", on: controller)
            if restarting { try balancer.takeOut(controller) }
            var step = try run.startUnits(self, on: controller)
            step.installed += installed
            steps.append(step)
            try run.apiServerLive(controller, phase: id)
            if restarting { try balancer.putBack(controller) }
            if upgraded { run.ranVersions(controller, of: id) }
        }
        let order = controllers.map(\.name)
        return steps.sorted { (order.firstIndex(of: $0.host) ?? 0) < (order.firstIndex(of: $1.host) ?? 0) }
    }

    func gate(_ run: ApplyRun, after steps: [HostStep], since started: Date) throws {
        guard let url = run.cluster.api.url, let first = run.firstController else { return }
        try run.gate(id, host: first.name, fix: "check the load balancer (`hardway check`) and that \(url) is in the API server certificate") {
            let livez = try run.host(first).run("\(NodeCommands.kubectl) --server \(url) get --raw /livez 2>&1")
            return livez.succeeded && livez.stdout.hasPrefix("ok") ? nil : "/livez through \(url): \(livez.tail)"
        }
        run.tell("  /livez through \(url) ok, certificate name verified")
        // A serving control plane whose controller managers or schedulers restarted: their leases are
        // held by processes that are gone until one of the new ones takes each over (a lease's
        // duration after it last saw it renewed). Until then no controller runs: apply waits.
        guard run.ledger.current.applied(id) else { return }
        let restarted = Set(steps.flatMap(\.restarted))
        for lease in ["kube-controller-manager", "kube-scheduler"] where restarted.contains(lease) {
            try run.gate(id, host: first.name, fix: "look at `journalctl -u \(lease) -n 40` on the controllers") {
                KubernetesReadings.leaderProblem(try run.host(first).run("\(NodeCommands.kubectl) -n kube-system get lease \(lease) -o json").stdout, lease: lease, now: Date())
            }
            run.tell("  \(lease): a leader renews its lease")
        }
    }
}

extension ApplyRun {
    /// Gate: the controller's kube-apiserver is ready to serve (/readyz on 127.0.0.1:6443: etcd
    /// reached, informers synced, post-start hooks done) — /livez alone comes earlier.
    func apiServerLive(_ controller: Machine, phase: Phase) throws {
        try gate(phase, host: controller.name, every: 0.5, fix: "look at `journalctl -u kube-apiserver -n 40` on \(controller.name)") {
            let readyz = try host(controller).run("\(NodeCommands.kubectl) get --raw /readyz 2>&1")
            return readyz.succeeded && readyz.stdout.hasPrefix("ok") ? nil : "/readyz on 127.0.0.1:6443: \(readyz.tail)"
        }
        tell("  \(controller.name): kube-apiserver /readyz ok")
    }
}

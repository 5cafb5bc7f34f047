import Foundation
import ClusterModel
import Shell

/// `drill worker`: one kubelet stops; the node must turn NotReady within the controller manager's
/// grace period (40 s), `check` must name it, and it must be Ready again once started.
extension Drill {
    func worker(_ machine: Machine) throws -> [Figure] {
        let remote = host(machine)
        defer { _ = try? remote.run("systemctl start kubelet") }
        progress("drill worker: stopping the kubelet on \(machine.name)")
        try remote.check("systemctl stop kubelet", step: "stopping the kubelet")
        let notReady = Poll.seconds(since: Date(), timeout: 90, every: 1) { nodeReady(machine) == false }
        let named = Checker(live: live, record: ApplyRecord(phases: ["workers": Date()])).nodes().first { $0.subject == machine.name }
        progress("drill worker: starting the kubelet on \(machine.name) again")
        try remote.check("systemctl start kubelet", step: "starting the kubelet")
        let ready = Poll.seconds(since: Date(), timeout: 90, every: 1) { nodeReady(machine) == true }
        return [
            Figure(name: "node NotReady", value: notReady.map { String(format: "after %.0f s (grace period 40 s)", $0) } ?? "still Ready after 90 s",
                   ok: notReady.map { $0 <= 60 } ?? false),
            Figure(name: "check names it", value: named.map { "\($0.state.rawValue): \($0.detail)" } ?? "no row", ok: named?.state == .failed),
            Figure(name: "Ready again", value: ready.map { String(format: "%.0f s after the start", $0) } ?? "not Ready 90 s after the start", ok: ready != nil),
        ]
    }

    /// Whether the API server says the node is Ready; nil when it does not know it (or does not answer).
    func nodeReady(_ machine: Machine) -> Bool? {
        let json = (try? api.run("\(Self.kubectl) get nodes -o json"))?.stdout ?? ""
        return KubernetesReadings.nodes(json)[machine.name]?.ready
    }
}

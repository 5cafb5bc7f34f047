import Foundation
import ClusterModel
import Remote
import Shell

/// The workers' part of an upgrade: `maxUnavailable` workers at a time are cordoned, drained (with
/// a time limit), given their new binaries, restarted, Ready again with their kubelet reporting the
/// new versions, and uncordoned — never a kubelet newer than an API server.
extension WorkersPhase {
    /// Not a unit: what a worker owes while an upgrade has it cordoned (a run cut before it was
    /// uncordoned uncordons it next time).
    static let uncordonOwed = "node-uncordon"

    func roll(_ rolling: [Machine], _ run: ApplyRun) throws -> [HostStep] {
        guard !rolling.isEmpty else { return [] }
        if !run.planning, rolling.contains(where: { run.upgrade.current.change($0.name, "kubelet") != nil }) {
            try kubeletNotNewer(run)
        }
        var steps: [HostStep] = []
        var remaining = rolling
        while !remaining.isEmpty {
            let batch = Array(remaining.prefix(run.maxUnavailable))
            remaining.removeFirst(batch.count)
            steps += try run.onHosts(batch) { machine in try upgrade(machine, run) }
        }
        return steps
    }

    /// The API servers must all run at least the kubelet's new version before any kubelet gets it.
    func kubeletNotNewer(_ run: ApplyRun) throws {
        let readings = try run.onHosts(run.cluster.controllers) { controller -> (String, String) in
            let output = try run.host(controller).run(RunningVersions.script(units: ["kube-apiserver"])).stdout
            return (controller.name, RunningVersions.parse(output)["kube-apiserver"] ?? "none running")
        }
        if let problem = UpgradeRules.kubeletTooNew(run.cluster.kubernetesVersion, apiServers: Dictionary(readings) { $1 }) {
            throw PhaseError(.upgradeRefused, id, problem + "; no worker was touched",
                             fix: "apply again so the control plane is upgraded first (`hardway check` shows which API server runs what)")
        }
    }

    func upgrade(_ machine: Machine, _ run: ApplyRun) throws -> HostStep {
        guard let first = run.firstController else { return HostStep(host: machine.name) }
        let api = run.host(first)
        let node = shellQuote(machine.name)
        let timeout = run.drainTimeout
        run.ledger.owe(machine.name, units: [Self.uncordonOwed])
        try run.wet(machine.name, "cordon and drain the node (timeout \(timeout) s)") {
            try api.check("\(NodeCommands.kubectl) cordon \(node)", step: "cordoning \(machine.name)")
            let drain = try api.run("\(NodeCommands.kubectlStreaming) drain \(node) --ignore-daemonsets --delete-emptydir-data --timeout=\(timeout)s 2>&1",
                                    timeout: TimeInterval(timeout + 30))
            guard drain.succeeded else {
                throw PhaseError(.unexpectedState, id, host: machine.name, "kubectl drain did not empty the node in \(timeout) s: \(drain.tail)",
                                 fix: "the node stays cordoned; move or delete the pods it names (a pod no controller manages is never evicted), or give more time with --drain-timeout, then apply again")
            }
            run.progress("  \(machine.name): cordoned and drained")
        }
        let installed = try run.installHeld(machine, for: id)
        try prepareKernel(machine, run)
        let started = Date()
        var step = try run.startUnits(self, on: machine)
        step.installed += installed
        step.notes += try importImages(on: machine, run)
        try readyAgain(machine, run, since: started)
        try uncordon(machine, run)
        run.ranVersions(machine, of: id)
        step.notes.append("upgraded: " + run.upgrade.current.changes(on: machine.name).filter { (UpgradePlan.components[id] ?? []).contains($0.component) }
            .map { "\($0.component) \($0.from) → \($0.to)" }.joined(separator: ", "))
        return step
    }

    /// Gate for one node: Ready, with a status its kubelet reported since `since`, naming the file's
    /// kubelet and containerd versions.
    func readyAgain(_ machine: Machine, _ run: ApplyRun, since: Date) throws {
        guard let first = run.firstController else { return }
        let kubelet = run.cluster.kubernetesVersion
        let containerd = UpgradeRules.release(run.cluster.versions.containerd).map { String($0.description.dropFirst()) } ?? ""
        try run.gate(id, host: machine.name, timeout: max(run.gateTimeout, 180), fix: "look at `journalctl -u kubelet -n 40` and `journalctl -u containerd -n 40` on \(machine.name)") {
            let nodes = KubernetesReadings.nodes(try run.host(first).run("\(NodeCommands.kubectl) get nodes -o json").stdout)
            guard let node = nodes[machine.name] else { return "\(machine.name) is not registered" }
            guard node.ready else { return "\(machine.name) is not Ready (\(node.reason))" }
            guard let heartbeat = node.heartbeat, heartbeat >= since.addingTimeInterval(-1) else { return "\(machine.name) has not reported since its restart" }
            guard node.kubeletVersion == kubelet else { return "\(machine.name)'s kubelet reports \(node.kubeletVersion), not \(kubelet)" }
            guard node.runtime.contains(containerd) else { return "\(machine.name) reports \(node.runtime), not containerd \(containerd)" }
            return nil
        }
        run.tell("  \(machine.name): Ready (kubelet \(kubelet), containerd \(containerd))")
    }

    func uncordon(_ machine: Machine, _ run: ApplyRun) throws {
        guard let first = run.firstController else { return }
        try run.wet(machine.name, "uncordon the node") {
            try run.host(first).check("\(NodeCommands.kubectl) uncordon \(shellQuote(machine.name))", step: "uncordoning \(machine.name)")
            run.ledger.settled(machine.name, unit: Self.uncordonOwed)
            run.progress("  \(machine.name): uncordoned")
        }
    }
}

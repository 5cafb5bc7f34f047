import Foundation
import ClusterModel
import Binaries
import Remote
import Shell

/// containerd, the kubelet and kube-proxy on every worker, and the image archives imported into
/// containerd. Gate: every worker a Ready node (one whose kubelet restarted must have reported
/// since), and containerd, kubelet and kube-proxy running steadily, not in a restart loop.
struct WorkersPhase: ApplyPhase {
    let id = Phase.workers
    let units = ["hardway-swap-off", "containerd", "kubelet", "kube-proxy"]

    func title(_ cluster: Cluster) -> String { "containerd, kubelet, kube-proxy on \(cluster.workers.count) workers, gate: every node Ready" }

    func binaries(for machine: Machine, in cluster: Cluster) -> [BinaryNeed] {
        guard machine.has(.worker) else { return [] }
        return BinaryNeed.named(["containerd", "containerd-shim-runc-v2", "ctr", "runc"]) + BinaryNeed.named(["kubelet", "kube-proxy"], kubernetes: true)
    }

    func run(_ run: ApplyRun) throws -> [HostStep] {
        try run.requireBinaries(for: id)
        // Workers with an upgrade go `maxUnavailable` at a time (WorkersPhase+Upgrade); the others at once.
        let rolling = run.cluster.workers.filter { run.upgrading($0, in: id) }
        var steps = try run.onHosts(run.cluster.workers.filter { !rolling.contains($0) }) { machine in
            try prepareKernel(machine, run)
            let started = Date()
            var step = try run.startUnits(self, on: machine)
            if let ahead = run.startedAhead(on: machine.name) { step.restarted = ahead.units + step.restarted }
            step.notes += try importImages(on: machine, run)
            // A node an interrupted upgrade left cordoned goes back into service once Ready.
            if run.ledger.owed(machine.name).units.contains(Self.uncordonOwed) {
                try readyAgain(machine, run, since: started)
                try uncordon(machine, run)
                step.notes.append("uncordoned (an interrupted upgrade had cordoned it)")
            }
            return step
        }
        steps += try roll(rolling, run)
        let order = run.cluster.workers.map(\.name)
        return steps.sorted { (order.firstIndex(of: $0.host) ?? 0) < (order.firstIndex(of: $1.host) ?? 0) }
    }

    /// Only the rendered settings: `sysctl --system` would also apply the distribution's own, some of
    /// which a container may not set.
    func prepareKernel(_ machine: Machine, _ run: ApplyRun) throws {
        try run.wet(machine.name, "load overlay and br_netfilter, apply 90-kubernetes.conf") {
            try run.host(machine).check("modprobe -a overlay br_netfilter 2>/dev/null; sysctl -q -p /etc/sysctl.d/90-kubernetes.conf", step: "loading modules and sysctls")
        }
    }

    /// Starts the workers' units without waiting for them, while the control plane first comes up
    /// (ControlPlanePhase); this phase then reports them as its own and gates on them as usual. Not
    /// when a worker binary is missing: this phase says so in its turn.
    static func startAhead(_ run: ApplyRun) throws {
        guard run.binaries.missing(for: .workers, cluster: run.cluster) == nil else { return }
        let phase = WorkersPhase()
        _ = try run.onHosts(run.cluster.workers) { machine in
            let time = Date()
            try phase.prepareKernel(machine, run)
            run.startedAhead(try run.startUnits(phase, on: machine, block: false), at: time)
        }
    }

    /// The archives of the binaries directory's images/ in the worker's containerd: those whose file
    /// changed, and any whose images containerd does not list (a new containerd, a wiped root).
    func importImages(on machine: Machine, _ run: ApplyRun) throws -> [String] {
        let archives = run.binaries.images
        guard !archives.isEmpty else { return [] }
        let remote = run.host(machine)
        // containerd answering lists its images; one just started may take a moment to answer.
        var listing = try remote.run("\(ImageArchive.ctr) images ls -q")
        if !listing.succeeded {
            try run.gate(id, host: machine.name, timeout: 30, every: 0.5, fix: "look at `journalctl -u containerd -n 30` on \(machine.name)") {
                let version = try remote.run("\(ImageArchive.ctr) version 2>&1")
                return version.succeeded ? nil : "containerd does not answer on /run/containerd/containerd.sock: \(version.tail)"
            }
            // Planning, containerd may not run yet: then every archive is one to import.
            listing = try remote.run("\(ImageArchive.ctr) images ls -q")
        }
        if !listing.succeeded { try run.wet(machine.name, nil) { throw RemoteError(host: machine.name, step: "listing containerd's images", result: listing) } }
        let listed = Set(listing.stdout.split(separator: "\n").map(String.init))
        let owed = run.ledger.owed(machine.name).units.contains(BinariesPhase.imagesUnit)
        var imported: [String] = []
        for archive in archives where owed || !archive.images.allSatisfy(listed.contains) {
            try run.wet(machine.name, "import \(archive.file) into containerd") {
                try remote.check("\(ImageArchive.ctr) images import \(shellQuote(archive.destination))", step: "importing \(archive.file) into containerd", timeout: 600)
            }
            imported += archive.images
        }
        run.ledger.settled(machine.name, unit: BinariesPhase.imagesUnit)
        guard !imported.isEmpty else { return [] }
        run.tell("  \(machine.name): imported \(imported.joined(separator: ", "))")
        return ["imported \(imported.joined(separator: ", "))"]
    }

    func gate(_ run: ApplyRun, after steps: [HostStep], since started: Date) throws {
        guard let first = run.firstController else { return }
        let names = run.cluster.workers.map(\.name)
        // A kubelet started in this run must have reported since: an old Node object of a rebuilt
        // machine can still say Ready while its new kubelet fails.
        let restarted = Set(steps.filter { $0.restarted.contains("kubelet") }.map(\.host))
        // Where this run started something, the units' restart counts are read now and again once
        // every node is Ready (at least 3 s later): a unit in a restart loop shows in between.
        let startedOn = Set(steps.filter { !$0.restarted.isEmpty }.map(\.host))
        let watched = run.cluster.workers.filter { startedOn.contains($0.name) }
        let before = try run.onHosts(watched) { machine in (Date(), try Self.readUnits(machine, run)) }
        // When each restarted kubelet started, by its host's clock: a report must come after that
        // second. A kubelet restarted within 5 s of its predecessor's last report would otherwise be
        // taken as Ready on that report, before its own first one (NotReady for a few seconds).
        let after = try run.kubeletStarts(run.cluster.workers.filter { restarted.contains($0.name) })
        try run.gate(id, host: first.name, timeout: max(run.gateTimeout, 180), fix: "look at `journalctl -u kubelet -n 40` on the workers that are not Ready") {
            let nodes = KubernetesReadings.nodes(try run.host(first).run("\(NodeCommands.kubectl) get nodes -o json").stdout)
            let notReady = KubernetesReadings.notReady(nodes, names, after: { after[$0] }) { name in restarted.contains(name) ? run.startedAhead(on: name)?.at ?? started : nil }
            return notReady.isEmpty ? nil : "not Ready: " + notReady.joined(separator: ", ")
        }
        // Ready is the kubelet's word; containerd and kube-proxy must run too, and not in a restart
        // loop — looked at where this run started something (elsewhere Ready and check say enough).
        let readings = Dictionary(uniqueKeysWithValues: zip(watched.map(\.name), before))
        _ = try run.onHosts(watched) { machine in
            let (readAt, states) = readings[machine.name]!
            try steady(machine, run, since: readAt, before: states)
        }
        run.tell("  \(names.count) workers Ready; containerd, kubelet and kube-proxy running on each")
    }

    static func readUnits(_ machine: Machine, _ run: ApplyRun) throws -> [String: (active: String, restarts: String)] {
        let show = "systemctl show -p Id,ActiveState,NRestarts containerd kubelet kube-proxy"
        return unitStates(try run.host(machine).check(show, step: "reading the worker units' state").stdout)
    }

    /// The units' state now against `before`, read at `since` (at least 3 s ago: this waits the rest).
    func steady(_ machine: Machine, _ run: ApplyRun, since: Date, before: [String: (active: String, restarts: String)]) throws {
        Poll.sleep(seconds: max(0, 3 - Date().timeIntervalSince(since)))
        let after = try Self.readUnits(machine, run)
        let unsteady = after.filter { $0.value.active != "active" || before[$0.key]?.restarts != $0.value.restarts }.keys.sorted()
        guard unsteady.isEmpty else {
            throw PhaseError(.unexpectedState, id, host: machine.name,
                             "\(unsteady.joined(separator: ", ")) not running steadily (\(unsteady.map { "\($0): \(after[$0]!.active), \(after[$0]!.restarts) restarts" }.joined(separator: "; ")))",
                             fix: "look at `journalctl -u \(unsteady[0]) -n 40` on \(machine.name)")
        }
    }

    /// `systemctl show -p Id,ActiveState,NRestarts …` → unit → (state, restarts).
    static func unitStates(_ text: String) -> [String: (active: String, restarts: String)] {
        var result: [String: (String, String)] = [:]
        for block in text.components(separatedBy: "\n\n") {
            let values = ScriptOutput.keyValues(block)
            guard let id = values["Id"] else { continue }
            result[id.replacingOccurrences(of: ".service", with: "")] = (values["ActiveState"] ?? "?", values["NRestarts"] ?? "?")
        }
        return result
    }
}

import Foundation
import ClusterModel
import Binaries
import Remote

/// Every binary a host's phases need whose sha256 (or mode) differs there, and on workers the image
/// archives of the binaries directory's images/; the units that run a changed binary are owed a
/// restart, and a changed archive an import.
struct BinariesPhase: EveryHostPhase {
    let id = Phase.binaries

    /// The unit that runs each binary (etcdctl runs no unit).
    static let units = ["etcd": "etcd", "kube-apiserver": "kube-apiserver", "kube-controller-manager": "kube-controller-manager",
                        "kube-scheduler": "kube-scheduler", "containerd": "containerd", "containerd-shim-runc-v2": "containerd",
                        "runc": "containerd", "kubelet": "kubelet", "kube-proxy": "kube-proxy"]

    /// Not a unit: what a worker owes when an image archive changed (or was never imported).
    static let imagesUnit = "image-import"

    func title(_ cluster: Cluster) -> String { "binaries whose sha256 differs" }

    func run(on machine: Machine, _ run: ApplyRun) throws -> HostStep {
        var step = HostStep(host: machine.name)
        let available = BinaryNeed.needs(for: machine, cluster: run.cluster, phases: run.phases).compactMap { need in
            run.binaries.file(for: need).map { (need, $0) }
        }
        guard !available.isEmpty else { return step }
        let remote = run.host(machine)
        let existing = try run.remoteFiles(remote, paths: available.map(\.0.destination))
        var upload: [(local: String, destination: String, mode: UInt16)] = []
        var written: [String: String] = [:]
        var owed: [String] = []
        let upgrade = run.upgrade.current
        var held: [String] = []
        for (need, local) in available where existing[need.destination]?.sha256 != local.sha256 || existing[need.destination]?.mode != 0o755 {
            // A binary of a component this run upgrades waits for the host's turn in the roll.
            if let component = UpgradePlan.component(ofBinary: need.name, destination: need.destination), upgrade.change(machine.name, component) != nil {
                run.upgrade.hold(machine.name, UpgradeState.Held(local: local.path, destination: need.destination, sha256: local.sha256,
                                                                 component: component, unit: Self.units[need.name]))
                held.append((need.destination as NSString).lastPathComponent)
                continue
            }
            upload.append((local.path, need.destination, 0o755))
            written[need.destination] = local.sha256
            step.installed.append(need.destination)
            if let unit = Self.units[need.name] { owed.append(unit) }
        }
        if machine.has(.worker), run.phases.contains(.workers) {
            let archives = run.binaries.images
            let there = try run.remoteFiles(remote, paths: archives.map(\.destination))
            for archive in archives where there[archive.destination]?.sha256 != archive.sha256 {
                upload.append((archive.path, archive.destination, 0o644))
                written[archive.destination] = archive.sha256
                step.installed.append(archive.destination)
                owed.append(Self.imagesUnit)
            }
        }
        run.ledger.owe(machine.name, units: owed)
        if !held.isEmpty { step.notes.append("held for its turn in the upgrade: \(held.joined(separator: ", "))") }
        guard !upload.isEmpty else { return step }
        let names = upload.map { ($0.destination as NSString).lastPathComponent }.joined(separator: ", ")
        try run.wet(machine.name, "install \(names)") {
            try remote.upload(upload.map { RemoteFile(path: $0.destination, mode: $0.mode, localFile: $0.local) })
            run.rememberWritten(remote, written)
            run.progress("  \(machine.name): installed \(names)")
        }
        return step
    }
}

import Foundation
import ClusterModel
import Render

/// CoreDNS (off with `addons.dns: false`). Gate: its Deployment rolled out; an image that cannot be
/// pulled (no registry, no archive in images/) stops it at once, naming the image.
struct AddonsPhase: ApplyPhase {
    let id = Phase.addons

    func title(_ cluster: Cluster) -> String { "CoreDNS, gate: rolled out" }

    func run(_ run: ApplyRun) throws -> [HostStep] {
        guard let first = run.firstController else { return [] }
        guard run.cluster.addons.dns else {
            run.progress("  DNS: off (addons.dns: false), nothing deployed")
            return [HostStep(host: first.name, notes: ["DNS off (addons.dns: false)"])]
        }
        try run.wet(first.name, "kubectl apply coredns.yaml") {
            try run.host(first).check("\(NodeCommands.kubectl) apply -f /etc/kubernetes/addons/coredns.yaml", step: "kubectl apply coredns.yaml")
        }
        return [HostStep(host: first.name, notes: ["CoreDNS ready"])]
    }

    func gate(_ run: ApplyRun, after steps: [HostStep], since started: Date) throws {
        guard let first = run.firstController, run.cluster.addons.dns else { return }
        let remote = run.host(first)
        let kubectl = NodeCommands.kubectl
        let image = (try? KubernetesRelease.forVersion(run.cluster.kubernetesVersion).coreDNSImage) ?? "coredns"
        let images = "\(run.binaries.directory)/images/"
        try run.gate(id, host: first.name, timeout: max(run.gateTimeout, 180), every: 2,
                     fix: "see `kubectl -n kube-system describe pods -l k8s-app=kube-dns` on \(first.name)") {
            let deployment = try remote.run("\(kubectl) -n kube-system get deployment coredns -o json")
            let pods = try remote.run("\(kubectl) -n kube-system get pods -l k8s-app=kube-dns -o json")
            if let reason = KubernetesReadings.imagePullFailure(pods.stdout) {
                throw PhaseError(.imageUnavailable, id, host: first.name, "CoreDNS's image \(image) cannot be had (\(reason)): no registry answers and no archive in \(images) names it",
                                 fix: "put its OCI archive in \(images) (e.g. `skopeo copy docker://\(image) oci-archive:coredns.tar:\(image)` on a machine that reaches the registry), or set addons.dns: false in the cluster file")
            }
            return KubernetesReadings.rolledOut(deployment.stdout) ? nil : "CoreDNS is not rolled out"
        }
        run.tell("  CoreDNS ready")
    }
}

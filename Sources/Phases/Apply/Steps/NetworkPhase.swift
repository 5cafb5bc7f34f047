import ClusterModel
import Binaries

/// The pod routes on every node (each worker's pod CIDR through that worker), and the CNI plugins
/// the pod network and its check need before any kubelet runs.
struct NetworkPhase: EveryHostPhase {
    let id = Phase.network
    let units = ["hardway-pod-routes"]

    func title(_ cluster: Cluster) -> String { "pod routes on every node" }

    func binaries(for machine: Machine, in cluster: Cluster) -> [BinaryNeed] {
        machine.has(.worker) ? BinaryNeed.named(["bridge", "host-local", "loopback"], directory: "/opt/cni/bin", sourceDirectory: "cni/") : []
    }

    func run(on machine: Machine, _ run: ApplyRun) throws -> HostStep {
        try run.startUnits(self, on: machine)
    }
}

import ClusterModel
import Binaries

/// The phases of `hardway apply`, in order — the list a newcomer reads to know what apply does
/// (k0sctl's `phase.Manager.AddPhase`, kubeadm's `AppendPhase`). A new flow is a new list of the
/// same kind of values.
enum ApplyWorkflow {
    static let phases: [any ApplyPhase] = [
        ConnectPhase(),
        PreflightPhase(),
        UpgradePhase(),
        DistributePhase(),
        BinariesPhase(),
        NetworkPhase(),
        EtcdPhase(),
        LoadBalancerPhase(),
        ControlPlanePhase(),
        RBACPhase(),
        WorkersPhase(),
        AddonsPhase(),
        SmokePhase(),
    ]

    /// The phases up to and including `until`.
    static func through(_ until: Phase?) -> [any ApplyPhase] {
        phases.filter { until == nil || $0.id <= until! }
    }

    static func phase(_ id: Phase) -> any ApplyPhase {
        phases.first { $0.id == id }!
    }
}

extension BinaryNeed {
    /// What `machine` needs from the binaries directory for `phases`, phase by phase.
    public static func needs(for machine: Machine, cluster: Cluster, phases: [Phase]) -> [BinaryNeed] {
        ApplyWorkflow.phases.filter { phases.contains($0.id) }.flatMap { $0.binaries(for: machine, in: cluster) }
    }
}

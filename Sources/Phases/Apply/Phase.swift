/// The id of each step from rendered files to a running cluster, in order: what `--until` takes and
/// `applied.json` records. What each step does is its `ApplyPhase` value in `ApplyWorkflow`.
public enum Phase: String, CaseIterable, Sendable, Codable, Comparable {
    case connect, preflight, upgrade, distribute, binaries, network, etcd, loadbalancer
    case controlPlane = "control-plane", rbac, workers, addons, smoke

    /// The phases `--until` accepts.
    public static let stops: [Phase] = [.network, .etcd, .loadbalancer, .controlPlane, .workers, .addons]

    public static func < (lhs: Phase, rhs: Phase) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The phases up to and including `until`.
    public static func through(_ until: Phase?) -> [Phase] {
        allCases.filter { until == nil || $0 <= until! }
    }
}

import ClusterModel

/// A secret written through the API server must reach etcd encrypted with the configured provider.
struct SmokePhase: ApplyPhase {
    let id = Phase.smoke

    func title(_ cluster: Cluster) -> String { "a secret must reach etcd encrypted" }

    func run(_ run: ApplyRun) throws -> [HostStep] {
        guard let first = run.firstController, let member = run.cluster.etcdMembers.first else { return [] }
        try run.wet(first.name, "write a secret and read it raw from etcd") {
            if let problem = try KubernetesReadings.encryptionProblem(cluster: run.cluster, apiHost: run.host(first), etcdHost: run.host(member), secret: "hardway-smoke") {
                throw PhaseError(.notEncrypted, id, host: first.name, problem,
                                 fix: "check /var/lib/kubernetes/encryption-config.yaml and the API server's --encryption-provider-config")
            }
            run.progress("  a new secret is stored encrypted (\(KubernetesReadings.encryptionPrefix(run.cluster.encryption.provider)))")
        }
        return [HostStep(host: first.name, notes: ["encryption at rest verified"])]
    }
}

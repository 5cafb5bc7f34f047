import ClusterModel

/// `validate --output json`.
struct ValidationReport: Encodable {
    var file: String
    var valid: Bool
    var diagnostics: [Diagnostic]
    var cluster: ResolvedCluster?

    init(file: String, resolution: Resolution) {
        self.file = file
        self.valid = resolution.cluster != nil
        self.diagnostics = resolution.diagnostics
        self.cluster = resolution.cluster.map(ResolvedCluster.init)
    }
}

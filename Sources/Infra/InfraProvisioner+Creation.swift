import AWS

/// What every creation shares: the cluster's tags on what is made, its ID recorded at once, and an
/// answer that lacks what it made caught before anything relies on it.
extension InfraProvisioner {
    /// Creates an EC2 resource of `kind` tagged with the cluster and records its ID at once. `element`
    /// holds the created resource in the answer (nil: the ID is at the top, as CreateSecurityGroup puts it).
    func createTagged(_ kind: Kind, _ action: String, resourceType: String, element: String?,
                      _ parameters: [(String, String)]) async throws -> (id: String, node: XMLNode?) {
        let answer = try await ec2(action, parameters + tagSpecification(resourceType, role: kind.key))
        let node = element.flatMap { answer.child($0) }
        let id = try required(node?.child(kind.idField) ?? answer.child(kind.idField), action)
        try record(kind.key, id)
        try await ensureTags(id, node, role: kind.key)
        return (id, node)
    }

    /// Some services ignore TagSpecification for some resources: tag them afterwards.
    func ensureTags(_ id: String, _ created: XMLNode?, role: String) async throws {
        if let created, created.tags[InfraDesign.clusterTag] == design.cluster { return }
        try await ec2("CreateTags", [("ResourceId.1", id)] + tagParameters(prefix: "Tag", role: role))
    }

    func required(_ node: XMLNode?, _ action: String) throws -> String {
        guard let value = node?.value, !value.isEmpty else {
            throw InfraError(.incompleteAnswer, "\(action) answered without the ID it creates",
                             fix: "run `hardway infra apply` again: it finds what was made by its tags")
        }
        return value
    }

    func requiredNode(_ node: XMLNode?, _ action: String) throws -> XMLNode {
        guard let node else {
            throw InfraError(.incompleteAnswer, "\(action) answered without what it creates",
                             fix: "run `hardway infra apply` again: it finds what was made by its tags")
        }
        return node
    }
}

import Foundation
import ClusterModel
import PKI
import Render

/// Clusters from the shipped examples, with PKI text that names each file, so a render is
/// readable and stable without issuing anything.
enum RenderFixture {
    static func cluster(_ example: String, editing edit: (String) -> String = { $0 }) throws -> Cluster {
        let text = edit(ClusterExamples.named(example)!.text)
        let resolution = ClusterResolver.resolve(text: text, autoEndpoint: "ground-up-nlb.elb.us-east-2.amazonaws.com")
        guard let cluster = resolution.cluster else {
            throw FixtureError(message: resolution.diagnostics.map { $0.formatted(file: example) }.joined(separator: "\n"))
        }
        return cluster
    }

    static func pki(for cluster: Cluster) -> PKIMaterial {
        var material = PKIMaterial()
        for profile in ClusterCertificates.profiles(for: cluster) {
            material.certificates[profile.name] = "-----BEGIN CERTIFICATE-----\nfixture certificate \(profile.name)\n-----END CERTIFICATE-----\n"
            material.keys[profile.name] = "-----BEGIN PRIVATE KEY-----\nfixture key \(profile.name)\n-----END PRIVATE KEY-----\n"
        }
        return material
    }

    static let ring = EncryptionKeyRing.initial(provider: .aescbc, secret: Base64.encode(Array(repeating: 7, count: 32)))

    static func input(_ example: String, editing edit: (String) -> String = { $0 }) throws -> RenderInput {
        let cluster = try cluster(example, editing: edit)
        return RenderInput(cluster: cluster, pki: pki(for: cluster), encryption: ring)
    }

    static func render(_ example: String, editing edit: (String) -> String = { $0 }) throws -> RenderOutput {
        try ClusterRenderer.render(input(example, editing: edit))
    }

    /// The example with `kubernetesVersion` set to `version` (the line replaced, or added after `name:`).
    static func pin(_ text: String, kubernetes version: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let index = lines.firstIndex(where: { $0.hasPrefix("kubernetesVersion:") }) {
            lines[index] = "kubernetesVersion: \(version)"
        } else if let index = lines.firstIndex(where: { $0.hasPrefix("name:") }) {
            lines.insert("kubernetesVersion: \(version)", at: index + 1)
        }
        return lines.joined(separator: "\n")
    }

    /// The example on a release's `.0` with the versions it pairs with that release: `kubernetesVersion`
    /// set, the other version lines removed.
    static func pin(_ text: String, release minor: String) -> String {
        let versionFields = ["etcdVersion:", "containerdVersion:", "runcVersion:", "cniPluginsVersion:"]
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in !versionFields.contains { line.hasPrefix($0) } }
        return pin(kept.joined(separator: "\n"), kubernetes: "v\(minor).0")
    }

    struct FixtureError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

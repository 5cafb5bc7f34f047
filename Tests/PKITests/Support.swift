import Foundation
import X509
import TestSupport
@testable import ClusterModel
@testable import PKI

enum PKIFixture {
    static let cluster = Fixture.base

    static func resolve(_ text: String = cluster) throws -> Cluster {
        let resolution = ClusterResolver.resolve(text: text)
        guard let cluster = resolution.cluster else { throw PKIError(.invalidConfig, "fixture does not resolve: \(resolution.diagnostics)") }
        return cluster
    }

    static func withController(_ name: String, _ address: String) -> String { Fixture.withController(name, address) }

    static func temporaryDirectory() throws -> String {
        try TemporaryDirectory.make("hardway-tests")
    }

    @discardableResult
    static func issue(_ cluster: Cluster, into store: PKIStore, now: Date = Date(), options: PKIIssueOptions = PKIIssueOptions()) async throws -> PKIIssueResult {
        try await PKIIssuer.run(profiles: ClusterCertificates.profiles(for: cluster), store: store, options: options, now: now)
    }

    /// name → sha256-free fingerprint: the file bytes themselves.
    static func snapshot(_ directory: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name != "replaced" {
            files[name] = FileManager.default.contents(atPath: "\(directory)/\(name)")
        }
        return files
    }

    static func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1
    }
}

import Foundation
import PKI

/// `DIR/infra-state.json`: every ID hardway created on AWS, written the moment it exists, and what the
/// rest of hardway needs afterwards (the NLB's DNS name, each host's public address).
public struct InfraState: Codable, Sendable, Equatable {
    public var cluster: String
    public var region: String
    /// Resource key (`vpc`, `subnet`, `instance/master-0`, `route/worker-0`…) → AWS ID or ARN.
    public var resources: [String: String] = [:]
    /// The private key file `infra apply` wrote for the key pair; `destroy` removes it with the pair.
    public var keyFile: String?
    public var loadBalancerDNSName: String?
    /// Host name → public IPv4 address.
    public var publicAddresses: [String: String] = [:]
    /// Host name → the host keys read from its instance's console and written to `<dir>/ssh/known_hosts`.
    /// Kept here too because cloud-init prints them on an instance's first boot only: after a stop
    /// and start (a new public address) the lines are written again from here. Optional: state files
    /// from before have none.
    public var hostKeys: [String: PinnedHostKeys]?
    public var updated: String?

    public init(cluster: String, region: String) {
        self.cluster = cluster
        self.region = region
    }

    public static func path(directory: String) -> String { "\(directory)/infra-state.json" }

    /// The state in `directory`, nil when there is none. A file that cannot be read is an error:
    /// without it the next apply would look only by tags, so say so instead of guessing.
    public static func load(directory: String) throws -> InfraState? {
        let path = path(directory: directory)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path), let state = try? JSONDecoder().decode(InfraState.self, from: data) else {
            throw InfraError(.unreadableState, "\(path) is not readable infra state", fix: "restore it, or move it away: `hardway infra apply` then finds the resources by their tags")
        }
        return state
    }

    public func save(directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.makeDirectory(directory, mode: 0o700)
        try AtomicFile.write(Array(try encoder.encode(self)) + [10], to: Self.path(directory: directory), mode: 0o600)
    }

    public static func remove(directory: String) {
        try? FileManager.default.removeItem(atPath: path(directory: directory))
    }
}

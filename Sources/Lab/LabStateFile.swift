import Foundation
import PKI

/// Reads and writes `LabState` at its path (0600, written whole).
public struct LabStateFile: Sendable {
    public var path: String

    public init(path: String) { self.path = path }

    public func load() throws -> LabState? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(LabState.self, from: data)
        } catch {
            throw LabError(.unreadableState, "\(path) is not a lab state file hardway can read",
                           fix: "look at it; `ip netns`, `ip link` and `findmnt` show what the lab made; move the file away to start afresh")
        }
    }

    public func save(_ state: LabState) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        try AtomicFile.makeDirectory((path as NSString).deletingLastPathComponent, mode: 0o700)
        try AtomicFile.write(Array(try encoder.encode(state)) + [10], to: path, mode: 0o600)
    }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

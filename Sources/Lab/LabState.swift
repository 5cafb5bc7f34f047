import Foundation
import Shell
import PKI

/// `DIR/lab/state.json`: every piece of the lab on the box, written as soon as it exists, so
/// `lab down` removes exactly what `lab up` made, even after an interrupted `up`.
public struct LabState: Codable, Sendable, Equatable {
    public struct Machine: Codable, Sendable, Equatable {
        public var host: String
        public var address: String
        public var namespace: String?
        public var veth: String?
        /// The machine's root: an overlay mount point (or a copy where overlayfs is missing).
        public var root: String?
        public var mounted: Bool = false
        public var cgroups: [String] = []
        public var machineName: String?
        public var pid: Int32?
        public var startTime: UInt64?
        public var console: String?
        public var created: Date?

        public init(host: String, address: String) {
            self.host = host
            self.address = address
        }
    }

    public var cluster: String
    public var bridge: String?
    public var gateway: String?
    public var subnet: String?
    public var image: String?
    public var machines: [Machine] = []

    public init(cluster: String) { self.cluster = cluster }

    public subscript(host: String) -> Machine? {
        get { machines.first { $0.host == host } }
        set {
            machines.removeAll { $0.host == host }
            if let newValue { machines.append(newValue) }
        }
    }
}

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
            throw LabError("\(path) is not a lab state file hardway can read",
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

/// A lab failure: what went wrong and what to do (the same shape as a failed program's).
public typealias LabError = ShellError

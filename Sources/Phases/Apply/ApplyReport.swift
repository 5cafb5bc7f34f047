/// What apply (or plan) did or would do on one host in one phase.
public struct HostStep: Codable, Sendable, Equatable {
    public var host: String
    public var written: [String] = []
    public var installed: [String] = []
    public var restarted: [String] = []
    public var notes: [String] = []
    /// Files an earlier apply put there that are no longer rendered for the host (their units stopped).
    public var removed: [String] = []

    public init(host: String, written: [String] = [], installed: [String] = [], restarted: [String] = [], notes: [String] = [],
                removed: [String] = []) {
        self.host = host
        self.removed = removed
        self.written = written
        self.installed = installed
        self.restarted = restarted
        self.notes = notes
    }

    /// One step per host: what a phase's several passes did on the same host, together.
    static func merge(_ steps: [HostStep], _ more: [HostStep]) -> [HostStep] {
        var merged = steps
        for extra in more {
            guard let index = merged.firstIndex(where: { $0.host == extra.host }) else { merged.append(extra); continue }
            merged[index].written += extra.written
            merged[index].restarted += extra.restarted
            merged[index].notes = extra.notes + merged[index].notes
        }
        return merged
    }
}

public struct PhaseReport: Codable, Sendable {
    public var phase: String
    public var seconds: Double
    public var hosts: [HostStep]
}

public struct ApplyReport: Codable, Sendable {
    public var phases: [PhaseReport]
    public var seconds: Double
    public var dryRun: Bool
    public var writes: Int { phases.flatMap(\.hosts).reduce(0) { $0 + $1.written.count + $1.installed.count + $1.removed.count } }
    public var restarts: Int { phases.flatMap(\.hosts).reduce(0) { $0 + $1.restarted.count } }
}

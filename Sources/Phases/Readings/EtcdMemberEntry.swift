import Foundation

/// A line of `etcdctl member list`: `id, started, name, peer URLs, client URLs, is learner` (an
/// added member that has not started yet has no name).
public struct EtcdMemberEntry: Equatable, Sendable {
    public var id: String
    public var started: Bool
    public var name: String
    public var peerURLs: [String]
    public var clientURLs: [String]

    /// The members in etcdctl's simple output; other lines (warnings, JSON logs) are skipped.
    public static func parse(_ text: String) -> [EtcdMemberEntry] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.components(separatedBy: ", ").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 5, !fields[0].isEmpty, fields[0].allSatisfy(\.isHexDigit),
                  fields[1] == "started" || fields[1] == "unstarted" else { return nil }
            func urls(_ text: String) -> [String] { text.split(separator: ",").map(String.init) }
            return EtcdMemberEntry(id: fields[0], started: fields[1] == "started", name: fields[2], peerURLs: urls(fields[3]), clientURLs: urls(fields[4]))
        }
    }
}


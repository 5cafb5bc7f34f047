/// One member's line of `etcdctl endpoint status -w json`: its endpoint, its id, the leader's id it
/// knows, and its version. The ids are read as the digits JSON writes (they are 64-bit: a double
/// would round them).
public struct EtcdEndpointStatus: Sendable, Equatable {
    public var endpoint: String
    public var memberID: String
    public var leaderID: String
    public var version: String

    public var isLeader: Bool { !memberID.isEmpty && memberID == leaderID }

    public static func parse(_ json: String) -> [EtcdEndpointStatus] {
        json.components(separatedBy: "{\"Endpoint\":\"").dropFirst().compactMap { chunk in
            guard let end = chunk.firstIndex(of: "\"") else { return nil }
            let endpoint = String(chunk[..<end])
            guard let member = number(after: "\"member_id\":", in: chunk), let leader = number(after: "\"leader\":", in: chunk) else { return nil }
            var version = ""
            if let start = chunk.range(of: "\"version\":\"") {
                version = String(chunk[start.upperBound...].prefix { $0 != "\"" })
            }
            return EtcdEndpointStatus(endpoint: endpoint, memberID: member, leaderID: leader, version: version)
        }
    }

    static func number(after key: String, in text: String) -> String? {
        guard let start = text.range(of: key) else { return nil }
        let digits = String(text[start.upperBound...].prefix { $0.isNumber })
        return digits.isEmpty ? nil : digits
    }
}

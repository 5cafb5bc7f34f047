/// One line of `infra plan`, `apply` or `destroy`: what happens (or happened) to which resource.
public struct InfraChange: Sendable, Equatable, Codable {
    public enum Action: String, Sendable, Codable {
        case create, keep, change, delete
    }

    public var action: Action
    public var kind: String
    public var name: String
    public var id: String?
    public var detail: String

    public init(_ action: Action, _ kind: String, _ name: String, id: String? = nil, detail: String = "") {
        self.action = action
        self.kind = kind
        self.name = name
        self.id = id
        self.detail = detail
    }
}

extension InfraChange {
    /// The same line naming what was made: a plan's line once an apply has the ID.
    func identified(_ id: String?) -> InfraChange {
        var line = self
        line.id = id
        return line
    }
}

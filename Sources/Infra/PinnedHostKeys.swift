/// One instance's host keys as `infra apply` pinned them.
public struct PinnedHostKeys: Codable, Sendable, Equatable {
    /// The instance whose console printed them: a new instance for the host needs its own.
    public var instance: String
    /// The name known_hosts gives them: where `hardway apply` connects (`sshAddress`, else the public
    /// address), as ssh looks it up (`[address]:port` off port 22).
    public var name: String
    /// `type base64`, as the console printed them.
    public var keys: [String]

    public init(instance: String, name: String, keys: [String]) {
        self.instance = instance
        self.name = name
        self.keys = keys
    }
}

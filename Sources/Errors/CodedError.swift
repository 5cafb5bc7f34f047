/// A module's list of what can go wrong: each case has a stable, kebab-case name that scripts and
/// tests can rely on while the message around it changes.
public protocol ErrorCode: RawRepresentable, Sendable, Codable, Hashable where RawValue == String {}

/// What every module's error carries, as `PKIError` first did: a stable code, a specific lowercase
/// message, and the next step for the user. A module names its own (`typealias PKIError =
/// CodedError<PKIErrorCode>`); only errors with more to say (a phase and host, a host's answer)
/// are types of their own.
public struct CodedError<Code: ErrorCode>: ExplainedError, Equatable {
    public var code: Code
    public var message: String
    public var fix: String?

    public init(_ code: Code, _ message: String, fix: String? = nil) {
        self.code = code
        self.message = message
        self.fix = fix
    }

    /// `message; fix`, as hardway prints every error.
    public var description: String { message + (fix.map { "; \($0)" } ?? "") }
}

/// An error that says what went wrong and what to do: what the CLI prints as `error: message; fix`.
public protocol ExplainedError: Error, Sendable, CustomStringConvertible {
    var message: String { get }
    var fix: String? { get }
}

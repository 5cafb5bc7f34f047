/// The outcome of resolving a spec: a `Cluster` when there are no errors, and every diagnostic.
public struct Resolution: Sendable {
    public var cluster: Cluster?
    public var diagnostics: [Diagnostic]
}

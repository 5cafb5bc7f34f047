/// A binary a host needs: where it comes from in the binaries directory and where it goes on the
/// host. Which hosts need which is the apply phases' word (each phase lists its own).
public struct BinaryNeed: Sendable, Equatable {
    public var name: String
    /// Relative to the binaries directory.
    public var source: String
    public var destination: String
    /// Whether it comes from Kubernetes' own release (else from the OS or etcd/containerd releases).
    public var kubernetes: Bool

    public init(name: String, source: String, destination: String, kubernetes: Bool) {
        (self.name, self.source, self.destination, self.kubernetes) = (name, source, destination, kubernetes)
    }

    /// `/usr/local/bin/<name>` (or `<directory>/<name>`), from `<sourceDirectory><name>` of the
    /// binaries directory.
    public static func named(_ names: [String], kubernetes: Bool = false, directory: String = "/usr/local/bin",
                             sourceDirectory: String = "") -> [BinaryNeed] {
        names.map { BinaryNeed(name: $0, source: sourceDirectory + $0, destination: "\(directory)/\($0)", kubernetes: kubernetes) }
    }
}

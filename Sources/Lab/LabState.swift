import Foundation

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

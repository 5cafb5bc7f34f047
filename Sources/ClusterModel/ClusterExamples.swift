/// The cluster files shipped with hardway, one per topology of the tutorials.
/// Their text lives in `examples/*.yaml` and is embedded by `scripts/embed-examples.sh`.
public enum ClusterExamples {
    public struct Example: Sendable {
        public var name: String
        public var summary: String
        /// The file as shipped, ending in a newline.
        public var text: String
    }

    /// The example `hardway init` writes when none is named.
    public static let defaultName = "lab"

    static let summaries: [(String, String)] = [
        ("lab", "machines on one Linux box: HAProxy, 3 controllers with etcd, 2 workers (10.240.0.0/24)"),
        ("aws", "AWS: 3 controllers and 3 workers behind a network load balancer (api.endpoint: auto)"),
        ("two-controllers", "2 controllers and 2 workers behind HAProxy on its own host"),
        ("dedicated-etcd", "2 dedicated etcd hosts, 2 controllers, 2 workers, API behind an external address"),
        ("single-controller", "1 controller, 1 worker and HAProxy, as on three droplets"),
    ]

    public static var all: [Example] {
        summaries.compactMap { name, summary in files[name].map { Example(name: name, summary: summary, text: $0 + "\n") } }
    }

    public static func named(_ name: String) -> Example? { all.first { $0.name == name } }
}

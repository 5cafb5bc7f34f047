import Yams

/// A cluster file read from YAML: the spec, what was wrong with its shape (unknown keys, wrong
/// types, bad syntax), and the line of every field so later checks can point at it.
public struct ParsedClusterFile: Sendable {
    public var spec: ClusterSpec
    public var diagnostics: [Diagnostic]
    /// Field path → 1-based line of its key.
    public var lines: [String: Int]

    /// The line of `path` or of its nearest enclosing field (`hosts[2].address` → `hosts[2]` → `hosts`).
    public func line(for path: String) -> Int? {
        var current = path
        while !current.isEmpty {
            if let line = lines[current] { return line }
            if current.hasSuffix("]"), let open = current.lastIndex(of: "[") {
                current = String(current[..<open])
            } else if let dot = current.lastIndex(of: ".") {
                current = String(current[..<dot])
            } else {
                return nil
            }
        }
        return nil
    }
}

/// Reads a cluster file strictly: unknown keys and wrong types are errors, and every one is
/// reported (not just the first), each with its field path.
public enum ClusterFileParser {
    public static func parse(_ text: String) -> ParsedClusterFile {
        var reader = SpecReader()
        let spec = reader.read(text)
        return ParsedClusterFile(spec: spec, diagnostics: reader.diagnostics, lines: reader.lines)
    }
}

struct SpecReader {
    var diagnostics: [Diagnostic] = []
    var lines: [String: Int] = [:]

    mutating func read(_ text: String) -> ClusterSpec {
        var spec = ClusterSpec()
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            report(yamlError: error)
            return spec
        }
        guard let root else {
            diagnostics.append(.error("empty-file", at: "", "the cluster file is empty",
                                      fix: "run `hardway init` to write a commented example"))
            return spec
        }
        guard let top = fields(root, at: "", allowed: Keys.top) else { return spec }

        spec.apiVersion = string(top["apiVersion"], at: "apiVersion")
        spec.kind = string(top["kind"], at: "kind")
        spec.name = string(top["name"], at: "name")
        spec.kubernetesVersion = string(top["kubernetesVersion"], at: "kubernetesVersion")
        spec.etcdVersion = string(top["etcdVersion"], at: "etcdVersion")

        if let node = top["network"], let map = fields(node, at: "network", allowed: Keys.network) {
            var network = ClusterSpec.NetworkSpec()
            network.nodeCIDR = string(map["nodeCIDR"], at: "network.nodeCIDR")
            network.podCIDR = string(map["podCIDR"], at: "network.podCIDR")
            network.serviceCIDR = string(map["serviceCIDR"], at: "network.serviceCIDR")
            network.clusterDomain = string(map["clusterDomain"], at: "network.clusterDomain")
            spec.network = network
        }
        if let node = top["api"], let map = fields(node, at: "api", allowed: Keys.api) {
            var api = ClusterSpec.APISpec()
            api.endpoint = string(map["endpoint"], at: "api.endpoint")
            api.port = int(map["port"], at: "api.port")
            api.extraSANs = stringList(map["extraSANs"], at: "api.extraSANs")
            spec.api = api
        }
        if let node = top["loadBalancer"], let map = fields(node, at: "loadBalancer", allowed: Keys.loadBalancer) {
            var loadBalancer = ClusterSpec.LoadBalancerSpec()
            loadBalancer.kind = string(map["kind"], at: "loadBalancer.kind")
            loadBalancer.host = string(map["host"], at: "loadBalancer.host")
            spec.loadBalancer = loadBalancer
        }
        if let node = top["etcd"], let map = fields(node, at: "etcd", allowed: Keys.etcd) {
            var etcd = ClusterSpec.EtcdSpec()
            etcd.hosts = stringList(map["hosts"], at: "etcd.hosts")
            spec.etcd = etcd
        }
        if let node = top["pki"], let map = fields(node, at: "pki", allowed: Keys.pki) {
            var pki = ClusterSpec.PKISpec()
            pki.keyAlgorithm = string(map["keyAlgorithm"], at: "pki.keyAlgorithm")
            pki.validity = string(map["validity"], at: "pki.validity")
            pki.caValidity = string(map["caValidity"], at: "pki.caValidity")
            if let node = map["subject"], let subjectMap = fields(node, at: "pki.subject", allowed: Keys.subject) {
                var subject = ClusterSpec.SubjectSpec()
                subject.country = string(subjectMap["country"], at: "pki.subject.country")
                subject.state = string(subjectMap["state"], at: "pki.subject.state")
                subject.locality = string(subjectMap["locality"], at: "pki.subject.locality")
                subject.organization = string(subjectMap["organization"], at: "pki.subject.organization")
                subject.organizationalUnit = string(subjectMap["organizationalUnit"], at: "pki.subject.organizationalUnit")
                pki.subject = subject
            }
            spec.pki = pki
        }
        if let node = top["encryption"], let map = fields(node, at: "encryption", allowed: Keys.encryption) {
            var encryption = ClusterSpec.EncryptionSpec()
            encryption.provider = string(map["provider"], at: "encryption.provider")
            spec.encryption = encryption
        }
        if let node = top["ssh"], let map = fields(node, at: "ssh", allowed: Keys.ssh) {
            var ssh = ClusterSpec.SSHSpec()
            ssh.user = string(map["user"], at: "ssh.user")
            ssh.identityFile = string(map["identityFile"], at: "ssh.identityFile")
            ssh.port = int(map["port"], at: "ssh.port")
            ssh.bastion = string(map["bastion"], at: "ssh.bastion")
            spec.ssh = ssh
        }
        if let node = top["binaries"], let map = fields(node, at: "binaries", allowed: Keys.binaries) {
            var binaries = ClusterSpec.BinariesSpec()
            binaries.dir = string(map["dir"], at: "binaries.dir")
            spec.binaries = binaries
        }
        if let node = top["addons"], let map = fields(node, at: "addons", allowed: Keys.addons) {
            var addons = ClusterSpec.AddonsSpec()
            addons.dns = bool(map["dns"], at: "addons.dns")
            spec.addons = addons
        }
        if let node = top["hosts"], let items = sequence(node, at: "hosts") {
            spec.hosts = items.enumerated().map { index, item in
                let path = "hosts[\(index)]"
                lines[path] = item.mark?.line
                var host = ClusterSpec.HostSpec()
                guard let map = fields(item, at: path, allowed: Keys.host) else { return host }
                host.name = string(map["name"], at: "\(path).name")
                host.address = string(map["address"], at: "\(path).address")
                host.roles = stringList(map["roles"], at: "\(path).roles")
                host.podCIDR = string(map["podCIDR"], at: "\(path).podCIDR")
                host.sshAddress = string(map["sshAddress"], at: "\(path).sshAddress")
                return host
            }
        }
        if let node = top["infra"], let map = fields(node, at: "infra", allowed: Keys.infra) {
            var infra = ClusterSpec.InfraSpec()
            infra.provider = string(map["provider"], at: "infra.provider")
            infra.region = string(map["region"], at: "infra.region")
            infra.instanceType = string(map["instanceType"], at: "infra.instanceType")
            if let node = map["image"], let imageMap = fields(node, at: "infra.image", allowed: Keys.image) {
                var image = ClusterSpec.ImageSpec()
                image.owner = string(imageMap["owner"], at: "infra.image.owner")
                image.name = string(imageMap["name"], at: "infra.image.name")
                infra.image = image
            }
            spec.infra = infra
        }
        return spec
    }

    enum Keys {
        static let top = ["apiVersion", "kind", "name", "kubernetesVersion", "etcdVersion", "network", "api",
                          "loadBalancer", "etcd", "pki", "encryption", "ssh", "binaries", "addons", "hosts", "infra"]
        static let network = ["nodeCIDR", "podCIDR", "serviceCIDR", "clusterDomain"]
        static let api = ["endpoint", "port", "extraSANs"]
        static let loadBalancer = ["kind", "host"]
        static let etcd = ["hosts"]
        static let pki = ["keyAlgorithm", "validity", "caValidity", "subject"]
        static let subject = ["country", "state", "locality", "organization", "organizationalUnit"]
        static let encryption = ["provider"]
        static let ssh = ["user", "identityFile", "port", "bastion"]
        static let binaries = ["dir"]
        static let addons = ["dns"]
        static let host = ["name", "address", "roles", "podCIDR", "sshAddress"]
        static let infra = ["provider", "region", "instanceType", "image"]
        static let image = ["owner", "name"]
    }

    // MARK: - node access

    /// The fields of a mapping node, reporting unknown keys; nil (and a diagnostic) when not a mapping.
    mutating func fields(_ node: Node, at path: String, allowed: [String]) -> [String: Node]? {
        if isNull(node) { return [:] }
        guard case .mapping(let mapping) = node else {
            typeError(node, at: path.isEmpty ? "" : path, expected: "a mapping of fields (key: value)")
            return nil
        }
        var result: [String: Node] = [:]
        for (key, value) in mapping {
            guard case .scalar(let keyScalar) = key else {
                diagnostics.append(error("wrong-type", at: path, "a key is not plain text", node: key,
                                         fix: "write keys as plain words: \(allowed.prefix(3).joined(separator: ", "))"))
                continue
            }
            let name = keyScalar.string
            let childPath = path.isEmpty ? name : "\(path).\(name)"
            lines[childPath] = key.mark?.line
            guard allowed.contains(name) else {
                let known = "known fields here: \(allowed.joined(separator: ", "))"
                let fix = Self.closest(to: name, in: allowed).map { "did you mean `\($0)`? \(known)" } ?? "remove it; \(known)"
                diagnostics.append(error("unknown-key", at: childPath, "unknown field `\(name)`", node: key, fix: fix))
                continue
            }
            result[name] = value
        }
        return result
    }

    mutating func sequence(_ node: Node, at path: String) -> [Node]? {
        if isNull(node) { return [] }
        guard case .sequence(let sequence) = node else {
            typeError(node, at: path, expected: "a list")
            return nil
        }
        return Array(sequence)
    }

    mutating func string(_ node: Node?, at path: String) -> String? {
        guard let node, !isNull(node) else { return nil }
        guard case .scalar(let scalar) = node else {
            typeError(node, at: path, expected: "a single value")
            return nil
        }
        return scalar.string
    }

    mutating func int(_ node: Node?, at path: String) -> Int? {
        guard let node, !isNull(node) else { return nil }
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            typeError(node, at: path, expected: "a whole number")
            return nil
        }
        return value
    }

    mutating func bool(_ node: Node?, at path: String) -> Bool? {
        guard let node, !isNull(node) else { return nil }
        guard case .scalar(let scalar) = node, ["true", "false"].contains(scalar.string) else {
            typeError(node, at: path, expected: "true or false")
            return nil
        }
        return scalar.string == "true"
    }

    mutating func stringList(_ node: Node?, at path: String) -> [String]? {
        guard let node, !isNull(node) else { return nil }
        switch node {
        case .sequence(let sequence):
            var values: [String] = []
            for (index, item) in sequence.enumerated() {
                if let value = string(item, at: "\(path)[\(index)]") { values.append(value) } else if isNull(item) {
                    diagnostics.append(error("empty-value", at: "\(path)[\(index)]", "list entry is empty", node: item,
                                             fix: "remove the empty entry or give it a value"))
                }
            }
            return values
        case .scalar(let scalar):
            diagnostics.append(error("wrong-type", at: path, "expected a list, found \(Self.describe(node))", node: node,
                                     fix: "write it as a list: [\(scalar.string)]"))
            return nil
        default:
            typeError(node, at: path, expected: "a list")
            return nil
        }
    }

    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    mutating func typeError(_ node: Node, at path: String, expected: String) {
        diagnostics.append(error("wrong-type", at: path, "expected \(expected), found \(Self.describe(node))", node: node,
                                 fix: "see `hardway init` for the format of this field"))
    }

    func error(_ code: String, at path: String, _ message: String, node: Node, fix: String) -> Diagnostic {
        Diagnostic(.error, code, at: path, message, fix: fix, line: node.mark?.line)
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return "\"\(scalar.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    mutating func report(yamlError: any Error) {
        var line: Int?
        var problem = "\(yamlError)"
        if let yaml = yamlError as? YamlError {
            switch yaml {
            case .scanner(_, let text, let mark, _), .parser(_, let text, let mark, _), .composer(_, let text, let mark, _):
                problem = text
                line = mark.line
            case .duplicatedKeysInMapping(let duplicates, let context):
                problem = "the key \(duplicates.map { "`\($0)`" }.joined(separator: ", ")) appears more than once"
                line = context.mark.line
            default:
                break
            }
        }
        diagnostics.append(Diagnostic(.error, "yaml-syntax", at: "", "the file is not valid YAML: \(problem)",
                                      fix: "fix the YAML at that line (indentation with spaces, `key: value`)", line: line))
    }

    /// The allowed key a typo most likely meant: same letters ignoring case, or at most two edits away.
    static func closest(to name: String, in candidates: [String]) -> String? {
        if let exact = candidates.first(where: { $0.lowercased() == name.lowercased() }) { return exact }
        let scored = candidates.map { ($0, editDistance(name.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2 else { return nil }
        return best.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

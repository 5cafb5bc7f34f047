import Foundation
import Shell

/// What a binary says it is. The cluster file pins `kubernetesVersion` and `etcdVersion`; apply ships
/// a pinned binary only when its own `--version` agrees. Each answer is recorded once, with the
/// file's sha256, in `versions.json` beside the binaries, so later runs read it instead of running
/// the program again.
public struct BinaryVersions: Sendable {
    public struct Entry: Codable, Sendable, Equatable {
        public var sha256: String
        public var version: String

        public init(sha256: String, version: String) {
            self.sha256 = sha256
            self.version = version
        }
    }

    /// The version a binary must have for `cluster`, or nil for those the file does not pin
    /// (containerd, runc, the CNI plugins).
    public static func expected(_ name: String, kubernetesVersion: String, etcdVersion: String) -> String? {
        switch name {
        case "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl":
            return normalized(kubernetesVersion)
        case "etcd", "etcdctl":
            return normalized(etcdVersion)
        default:
            return nil
        }
    }

    /// `3.4.23` and `v3.4.23` are the same version.
    public static func normalized(_ version: String) -> String {
        version.hasPrefix("v") ? version : "v" + version
    }

    /// The arguments that make each program print its version.
    public static func arguments(for name: String) -> [String] {
        switch name {
        case "kubectl": return ["version", "--client", "-o", "json"]
        case "etcdctl": return ["version"]
        default: return ["--version"]
        }
    }

    /// The version in a program's answer: `Kubernetes v1.20.2`, `etcd Version: 3.4.23`, `etcdctl
    /// version: 3.4.23`, kubectl's JSON `gitVersion`, `containerd github.com/containerd/containerd 1.6.20~ds1 …`,
    /// `runc version 1.1.5+ds1`.
    public static func parse(_ name: String, output: String) -> String? {
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        switch name {
        case "kubectl":
            struct Answer: Decodable { struct Info: Decodable { var gitVersion: String }; var clientVersion: Info }
            if let answer = try? JSONDecoder().decode(Answer.self, from: Data(output.utf8)) { return answer.clientVersion.gitVersion }
            return lines.first { $0.hasPrefix("Client Version:") }.map { $0.dropFirst("Client Version:".count).trimmingCharacters(in: .whitespaces) }
        case "etcd":
            return value(after: "etcd Version:", in: lines).map(normalized)
        case "etcdctl":
            return value(after: "etcdctl version:", in: lines).map(normalized)
        case "containerd", "ctr":
            return lines.first.flatMap { $0.split(separator: " ").dropFirst(2).first.map(String.init) }
        case "runc":
            return value(after: "runc version", in: lines)
        default:
            guard let line = lines.first(where: { $0.hasPrefix("Kubernetes ") }) else { return nil }
            return String(line.dropFirst("Kubernetes ".count))
        }
    }

    static func value(after prefix: String, in lines: [String]) -> String? {
        lines.first { $0.hasPrefix(prefix) }.map { $0.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces) }
    }


    /// `versions.json` of one directory: file name (relative to it) → sha256 and version.
    public let directory: String
    public var path: String { "\(directory)/versions.json" }

    public init(directory: String) {
        self.directory = directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
    }

    public func load() -> [String: Entry] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        return (try? JSONDecoder().decode([String: Entry].self, from: data)) ?? [:]
    }

    public func save(_ entries: [String: Entry]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let temporary = path + ".tmp"
        try (try encoder.encode(entries) + Data("\n".utf8)).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw BinariesError(.unreadable, "cannot write \(path)", fix: "check the directory's permissions") }
    }

    /// The version of `file` (a name in this directory, e.g. `kubelet`), read from the record when
    /// its sha256 matches, else by running it; recorded when the directory can be written.
    public func version(of file: String, name: String? = nil, sha256 known: String? = nil) throws -> Entry {
        let full = "\(directory)/\(file)"
        let digest = try known ?? FileDigest.sha256(ofFile: full)
        var entries = load()
        if let entry = entries[file], entry.sha256 == digest { return entry }
        let program = name ?? (file as NSString).lastPathComponent
        let result = try Exec.run(full, Self.arguments(for: program))
        guard let version = Self.parse(program, output: result.stdout + "\n" + result.stderr) else {
            throw BinariesError(.unreadable, "cannot read the version of \(full): `\(program) \(Self.arguments(for: program).joined(separator: " "))` said \(result.tail.isEmpty ? "nothing" : result.tail)",
                             fix: "check that it is \(program) for this box's architecture, or replace it (`hardway binaries build`)")
        }
        let entry = Entry(sha256: digest, version: version)
        entries[file] = entry
        try? save(entries)
        return entry
    }
}

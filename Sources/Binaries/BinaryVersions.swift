import Foundation
import Shell

/// What a binary says it is. The cluster file pins `kubernetesVersion`, `etcdVersion` and
/// `containerdVersion`; apply ships a pinned binary only when its own `--version` agrees. Each answer
/// is recorded once, with the file's sha256, in `versions.json` beside the binaries, so later runs
/// read it instead of running the program again.
public struct BinaryVersions: Sendable {
    public struct Entry: Codable, Sendable, Equatable {
        public var sha256: String
        public var version: String

        public init(sha256: String, version: String) {
            self.sha256 = sha256
            self.version = version
        }
    }

    /// containerd's programs, pinned to `containerdVersion` (runc and the CNI plugins are not pinned).
    public static let containerdPrograms = ["containerd", "containerd-shim-runc-v2", "ctr"]

    /// The version a binary must have for the cluster file, or nil for those it does not pin (runc,
    /// the CNI plugins; containerd's programs when `containerdVersion` is nil).
    public static func expected(_ name: String, kubernetesVersion: String, etcdVersion: String, containerdVersion: String? = nil) -> String? {
        switch name {
        case "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl":
            return normalized(kubernetesVersion)
        case "etcd", "etcdctl":
            return normalized(etcdVersion)
        case _ where containerdPrograms.contains(name):
            return containerdVersion.map(normalized)
        default:
            return nil
        }
    }

    /// The cluster file's field that pins a binary: `kubernetesVersion`, `etcdVersion`, `containerdVersion`.
    public static func field(for name: String) -> String? {
        switch name {
        case "etcd", "etcdctl": return "etcdVersion"
        case _ where containerdPrograms.contains(name): return "containerdVersion"
        case "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl": return "kubernetesVersion"
        default: return nil
        }
    }

    /// One spelling per version: `3.4.23` and `v3.4.23` are the same, and so are Debian's repacks of an
    /// upstream release as its programs print them (containerd's `1.6.20~ds1`, `1.7.24+dfsg`) and the
    /// release (`v1.6.20`). Only Debian's markers are dropped: `v1.20.2+k3s1` stays another build.
    public static func normalized(_ version: String) -> String {
        var text = Substring(version)
        if let tilde = text.firstIndex(of: "~") { text = text[..<tilde] }
        for marker in ["+ds", "+dfsg"] {
            if let range = text.range(of: marker) { text = text[..<range.lowerBound] }
        }
        return text.hasPrefix("v") ? String(text) : "v" + text
    }

    /// The arguments that make each program print its version.
    public static func arguments(for name: String) -> [String] {
        switch name {
        case "kubectl": return ["version", "--client", "-o", "json"]
        case "etcdctl": return ["version"]
        // The shim's Go flags have -v, not --version.
        case "containerd-shim-runc-v2": return ["-v"]
        default: return ["--version"]
        }
    }

    /// The version in a program's answer: `Kubernetes v1.20.2`, `etcd Version: 3.4.23`, `etcdctl
    /// version: 3.4.23`, kubectl's JSON `gitVersion`, `containerd github.com/containerd/containerd 1.6.20~ds1 …`,
    /// `runc version 1.1.5+ds1`, the shim's `containerd-shim-runc-v2:` then `  Version:  1.6.20~ds1`.
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
        case "containerd-shim-runc-v2":
            // Its `-v` answer; or containerd's one-line form (`containerd-shim-runc-v2 github.com/containerd/containerd v1.7.24 …`).
            return value(after: "Version:", in: lines)
                ?? lines.first { $0.hasPrefix(name + " ") }.flatMap { $0.split(separator: " ").dropFirst(2).first.map(String.init) }
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

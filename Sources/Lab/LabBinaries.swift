import Foundation
import Shell

/// Fills the cluster's binaries directory with what this box's Debian packages give (etcd,
/// etcdctl, containerd, runc, the CNI plugins), never overwriting a file that is there, and names
/// the Kubernetes binaries the user still has to supply.
public enum LabBinaries {
    public struct Source: Sendable {
        public var name: String
        public var candidates: [String]
        public var package: String
    }

    public struct Item: Codable, Sendable, Equatable {
        public var name: String
        /// copied, present (already there, kept), unavailable (the box has no such package installed).
        public var status: String
        public var source: String?
        public var package: String
        public var version: String?
    }

    public struct Report: Codable, Sendable {
        public var directory: String
        public var items: [Item]
        /// Kubernetes binaries not in the directory, with where to download each.
        public var missing: [Missing]
    }

    public struct Missing: Codable, Sendable, Equatable {
        public var name: String
        public var url: String
    }

    public static let sources = [
        Source(name: "etcd", candidates: ["/usr/bin/etcd"], package: "etcd-server"),
        Source(name: "etcdctl", candidates: ["/usr/bin/etcdctl"], package: "etcd-client"),
        Source(name: "containerd", candidates: ["/usr/bin/containerd"], package: "containerd"),
        Source(name: "containerd-shim-runc-v2", candidates: ["/usr/bin/containerd-shim-runc-v2"], package: "containerd"),
        Source(name: "ctr", candidates: ["/usr/bin/ctr"], package: "containerd"),
        Source(name: "runc", candidates: ["/usr/sbin/runc", "/usr/bin/runc"], package: "runc"),
    ]
    public static let cniDirectory = "/usr/lib/cni"
    public static let cniPackage = "containernetworking-plugins"
    public static let kubernetes = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl"]

    public static func fill(directory: String, kubernetesVersion: String) throws -> Report {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var items: [Item] = []
        for source in sources {
            let destination = "\(directory)/\(source.name)"
            let version = packageVersion(source.package)
            if fm.fileExists(atPath: destination) {
                items.append(Item(name: source.name, status: "present", source: nil, package: source.package, version: nil))
            } else if let found = source.candidates.first(where: fm.isExecutableFile(atPath:)) {
                try copy(found, to: destination)
                items.append(Item(name: source.name, status: "copied", source: found, package: source.package, version: version))
            } else {
                items.append(Item(name: source.name, status: "unavailable", source: nil, package: source.package, version: nil))
            }
        }
        let plugins = ((try? fm.contentsOfDirectory(atPath: cniDirectory)) ?? []).sorted()
        if plugins.isEmpty {
            let present = fm.fileExists(atPath: "\(directory)/cni/bridge")
            items.append(Item(name: "cni/", status: present ? "present" : "unavailable", source: nil, package: cniPackage, version: nil))
        } else {
            try fm.createDirectory(atPath: "\(directory)/cni", withIntermediateDirectories: true)
            var copied = 0
            for plugin in plugins where !fm.fileExists(atPath: "\(directory)/cni/\(plugin)") {
                try copy("\(cniDirectory)/\(plugin)", to: "\(directory)/cni/\(plugin)")
                copied += 1
            }
            items.append(Item(name: "cni/ (\(plugins.count) plugins)", status: copied > 0 ? "copied" : "present", source: cniDirectory,
                              package: cniPackage, version: packageVersion(cniPackage)))
        }
        let arch = architecture()
        let missing = kubernetes.filter { !fm.fileExists(atPath: "\(directory)/\($0)") }.map {
            Missing(name: $0, url: "https://dl.k8s.io/release/\(kubernetesVersion)/bin/linux/\(arch)/\($0)")
        }
        return Report(directory: directory, items: items, missing: missing)
    }

    static func copy(_ source: String, to destination: String) throws {
        let temporary = destination + ".hardway-tmp"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.copyItem(atPath: source, toPath: temporary)
        guard chmod(temporary, 0o755) == 0, rename(temporary, destination) == 0 else {
            throw LabError("cannot write \(destination): \(String(cString: strerror(errno)))", fix: "check the directory's permissions")
        }
    }

    static func packageVersion(_ package: String) -> String? {
        guard let result = try? Exec.run("dpkg-query", ["-W", "-f", "${Version}", package]), result.succeeded else { return nil }
        let version = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return version.isEmpty ? nil : version
    }

    /// Kubernetes' name for this machine's architecture.
    static func architecture() -> String {
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: &name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        switch machine {
        case "x86_64": return "amd64"
        case "aarch64": return "arm64"
        default: return machine
        }
    }
}

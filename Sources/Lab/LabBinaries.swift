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

    /// With `fetch`, what the box has not installed is taken from the Debian packages themselves
    /// (`apt-get download`, unpacked with `dpkg-deb -x` under the cache): nothing is installed on
    /// the box, so no etcd or containerd daemon starts there.
    public static func fill(directory: String, kubernetesVersion: String, fetch: Bool = false,
                            cache: String = RootImage().base + "/debs", progress: (String) -> Void = { _ in }) throws -> Report {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var unpacked: String?
        var debs: [String: String] = [:]
        let wanted = sources.filter { source in
            !fm.fileExists(atPath: "\(directory)/\(source.name)") && !source.candidates.contains(where: fm.isExecutableFile(atPath:))
        }.map(\.package) + (((try? fm.contentsOfDirectory(atPath: cniDirectory)) ?? []).isEmpty ? [cniPackage] : [])
        if fetch, !wanted.isEmpty {
            (unpacked, debs) = try unpack(Array(Set(wanted)).sorted(), cache: cache, progress: progress)
        }
        var items: [Item] = []
        for source in sources {
            let destination = "\(directory)/\(source.name)"
            let version = packageVersion(source.package)
            let fromPackage = unpacked.flatMap { root in source.candidates.map { root + $0 }.first(where: fm.isExecutableFile(atPath:)) }
            if fm.fileExists(atPath: destination) {
                items.append(Item(name: source.name, status: "present", source: nil, package: source.package, version: nil))
            } else if let found = source.candidates.first(where: fm.isExecutableFile(atPath:)) {
                try copy(found, to: destination)
                items.append(Item(name: source.name, status: "copied", source: found, package: source.package, version: version))
            } else if let found = fromPackage {
                try copy(found, to: destination)
                let deb = debs[source.package] ?? "\(source.package).deb"
                items.append(Item(name: source.name, status: "copied", source: deb, package: source.package, version: Self.version(ofDeb: deb)))
            } else {
                items.append(Item(name: source.name, status: "unavailable", source: nil, package: source.package, version: nil))
            }
        }
        let cniDirectory = ((try? fm.contentsOfDirectory(atPath: Self.cniDirectory)) ?? []).isEmpty && unpacked != nil
            ? unpacked! + Self.cniDirectory : Self.cniDirectory
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
        let arch = HostArchitecture.current
        let missing = kubernetes.filter { !fm.fileExists(atPath: "\(directory)/\($0)") }.map {
            Missing(name: $0, url: "https://dl.k8s.io/release/\(kubernetesVersion)/bin/linux/\(arch)/\($0)")
        }
        return Report(directory: directory, items: items, missing: missing)
    }

    /// Downloads the packages' .deb files into `cache` and unpacks them into one directory.
    static func unpack(_ packages: [String], cache: String, progress: (String) -> Void) throws -> (String, [String: String]) {
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        progress("taking \(packages.joined(separator: ", ")) from Debian's packages (downloaded, not installed)")
        var download = try Exec.run("/bin/sh", ["-c", "cd \(cache) && apt-get download " + packages.joined(separator: " ")])
        if !download.succeeded {
            _ = try Exec.run("apt-get", ["update", "-qq"])
            download = try Exec.run("/bin/sh", ["-c", "cd \(cache) && apt-get download " + packages.joined(separator: " ")])
        }
        guard download.succeeded else {
            throw LabError("apt-get download \(packages.joined(separator: " ")) failed (\(download.tail))",
                           fix: "install them with apt-get, or put the binaries in the binaries directory yourself")
        }
        let root = cache + "/unpacked"
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var debs: [String: String] = [:]
        for deb in (try FileManager.default.contentsOfDirectory(atPath: cache)).sorted() where deb.hasSuffix(".deb") {
            guard let package = packages.first(where: { deb.hasPrefix($0 + "_") }) else { continue }
            try Exec.check("dpkg-deb", ["-x", "\(cache)/\(deb)", root], what: "unpacking \(deb)")
            debs[package] = deb
        }
        return (root, debs)
    }

    /// `etcd-server_3.4.23-4+b4_amd64.deb` → `3.4.23-4+b4` (apt-get download escapes ':' as %3a).
    static func version(ofDeb name: String) -> String? {
        let parts = name.split(separator: "_")
        return parts.count == 3 ? parts[1].replacingOccurrences(of: "%3a", with: ":") : nil
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
}

import Foundation
import Binaries
import Shell

/// A release in upstream's packing, made of stand-ins (shell scripts that print what the real
/// program's version answer looks like), written into a files repository in kubespray's layout
/// (`<root>/dl.k8s.io/…`, `<root>/github.com/…`) with each project's checksum file in its own
/// format: bare hex for dl.k8s.io, SHA256SUMS for etcd, `.sha256sum` for containerd, a
/// clear-signed `runc.sha256sum`, `.sha256` lines for the CNI plugins.
struct StandInRelease {
    static let versions = ReleaseVersions(kubernetes: "v1.35.0", etcd: "v3.6.4", containerd: "v2.1.4", runc: "v1.3.0", cniPlugins: "v1.6.2")
    static let plugins = ["bridge", "host-local", "loopback", "portmap"]

    /// What each placed program holds, by its name in the binaries directory.
    private(set) var programs: [String: Data] = [:]
    /// Every artifact written, by file name → its path under the repository root.
    private(set) var artifacts: [String: String] = [:]

    static func script(_ answer: String) -> Data { Data("#!/bin/sh\necho '\(answer)'\n".utf8) }

    /// Writes the release under `root` (the mirror's directory).
    init(root: String) throws {
        let v = Self.versions
        let scratch = NSTemporaryDirectory() + "hardway-standin-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        let k8s = "dl.k8s.io/release/\(v.kubernetes)/bin/linux/amd64"
        for name in ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl"] {
            let bytes = Self.script(name == "kubectl" ? "Client Version: \(v.kubernetes)" : "Kubernetes \(v.kubernetes)")
            try write(bytes, "\(root)/\(k8s)/\(name)", artifact: name, program: name)
            // dl.k8s.io: the digest alone, no name, no newline.
            try Data(Self.sha(bytes).utf8).write(to: URL(fileURLWithPath: "\(root)/\(k8s)/\(name).sha256"))
        }

        let etcdTop = "etcd-\(v.etcd)-linux-amd64"
        try stage(["\(etcdTop)/etcd": "etcd Version: 3.6.4", "\(etcdTop)/etcdctl": "etcdctl version: 3.6.4",
                   "\(etcdTop)/etcdutl": "etcdutl version: 3.6.4", "\(etcdTop)/README.md": "readme",
                   "\(etcdTop)/Documentation/dev-guide.md": "guide"], in: "\(scratch)/etcd")
        let etcdRelease = "\(root)/github.com/etcd-io/etcd/releases/download/\(v.etcd)"
        let etcd = try tar("\(scratch)/etcd", members: [etcdTop], to: "\(etcdRelease)/\(etcdTop).tar.gz", artifact: "\(etcdTop).tar.gz")
        programs["etcd"] = Self.script("etcd Version: 3.6.4")
        programs["etcdctl"] = Self.script("etcdctl version: 3.6.4")
        try Data("""
        \(Self.sha(Data("darwin".utf8)))  etcd-\(v.etcd)-darwin-amd64.zip
        \(Self.sha(etcd))  \(etcdTop).tar.gz
        \(Self.sha(Data("arm64".utf8)))  etcd-\(v.etcd)-linux-arm64.tar.gz

        """.utf8).write(to: URL(fileURLWithPath: "\(etcdRelease)/SHA256SUMS"))

        let containerdVersion = ReleaseVersionsText.bare(v.containerd)
        let containerdAnswer = "github.com/containerd/containerd/v2 \(v.containerd) 0123abcd"
        try stage(["bin/containerd": "containerd \(containerdAnswer)", "bin/containerd-shim-runc-v2": "containerd-shim-runc-v2 \(containerdAnswer)",
                   "bin/containerd-stress": "stress", "bin/ctr": "ctr \(containerdAnswer)"], in: "\(scratch)/containerd")
        let containerdFile = "containerd-\(containerdVersion)-linux-amd64.tar.gz"
        let containerdPath = "\(root)/github.com/containerd/containerd/releases/download/\(v.containerd)/\(containerdFile)"
        let containerd = try tar("\(scratch)/containerd", members: ["bin"], to: containerdPath, artifact: containerdFile)
        for name in ["containerd", "containerd-shim-runc-v2", "ctr"] { programs[name] = Self.script("\(name) \(containerdAnswer)") }
        try Data("\(Self.sha(containerd))  \(containerdFile)\n".utf8).write(to: URL(fileURLWithPath: containerdPath + ".sha256sum"))

        let runcRelease = "\(root)/github.com/opencontainers/runc/releases/download/\(v.runc)"
        let runc = Self.script("runc version \(ReleaseVersionsText.bare(v.runc))")
        try write(runc, "\(runcRelease)/runc.amd64", artifact: "runc.amd64", program: "runc")
        try Data("""
        -----BEGIN PGP SIGNED MESSAGE-----
        Hash: SHA512

        \(Self.sha(runc))  runc.amd64
        \(Self.sha(Data("386".utf8)))  runc.386
        \(Self.sha(Data("arm64".utf8)))  runc.arm64
        \(Self.sha(Data("source".utf8)))  runc.tar.xz
        -----BEGIN PGP SIGNATURE-----

        iQIzBAEBCgAdFiEEstandinstandinstandinstandinstandinAAoJEHardway
        =stnd
        -----END PGP SIGNATURE-----

        """.utf8).write(to: URL(fileURLWithPath: "\(runcRelease)/runc.sha256sum"))

        var cni: [String: String] = ["README.md": "readme", "LICENSE": "license"]
        for plugin in Self.plugins { cni[plugin] = "CNI \(plugin) plugin \(v.cniPlugins)" }
        try stage(cni, in: "\(scratch)/cni")
        let cniFile = "cni-plugins-linux-amd64-\(v.cniPlugins).tgz"
        let cniPath = "\(root)/github.com/containernetworking/plugins/releases/download/\(v.cniPlugins)/\(cniFile)"
        // Packed from inside the directory, as upstream's workflow does: `./bridge`, no top directory.
        let plugins = try tar("\(scratch)/cni", members: ["."], to: cniPath, artifact: cniFile)
        for plugin in Self.plugins { programs["cni/\(plugin)"] = Self.script("CNI \(plugin) plugin \(v.cniPlugins)") }
        try Data("\(Self.sha(plugins))  \(cniFile)\n".utf8).write(to: URL(fileURLWithPath: cniPath + ".sha256"))
    }

    static func sha(_ data: Data) -> String {
        let path = NSTemporaryDirectory() + "hardway-sha-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        try? data.write(to: URL(fileURLWithPath: path))
        return (try? FileDigest.sha256(ofFile: path)) ?? ""
    }

    private mutating func write(_ bytes: Data, _ path: String, artifact: String, program: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try bytes.write(to: URL(fileURLWithPath: path))
        artifacts[artifact] = path
        programs[program] = bytes
    }

    private func stage(_ files: [String: String], in directory: String) throws {
        for (path, answer) in files {
            let full = "\(directory)/\(path)"
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Self.script(answer).write(to: URL(fileURLWithPath: full))
            chmod(full, 0o755)
        }
    }

    private mutating func tar(_ directory: String, members: [String], to path: String, artifact: String) throws -> Data {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Exec.check("tar", ["-czf", path, "-C", directory] + members, what: "packing \(artifact)")
        artifacts[artifact] = path
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// The artifact's bytes changed after its checksum was published: what a tampered mirror serves.
    func tamper(_ artifact: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: artifacts[artifact]!))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\n# changed after the checksum was published\n".utf8))
        try handle.close()
    }
}

/// `v1.3.0` → `1.3.0`, as upstream's file names and answers print some versions.
enum ReleaseVersionsText {
    static func bare(_ version: String) -> String { version.hasPrefix("v") ? String(version.dropFirst()) : version }
}

import Foundation
import Testing
import Binaries
import Shell

/// `hardway binaries bundle` and `binaries build --from`: a directory filled through the loopback
/// mirror is packed, changed in transit in each way that matters, and unpacked elsewhere.
@Suite("binaries: bundles for a site without internet", .serialized)
struct BinariesBundleTests {
    /// A binaries directory a mirror build filled, and its bundle.
    final class Packed {
        let site: ReleaseDownloadTests.Site
        let bundle: String
        let packed: BinariesBundle.Packed
        var scratch: String { site.scratch }

        init() throws {
            site = try ReleaseDownloadTests.Site()
            _ = try site.build()
            bundle = site.scratch + "/binaries.tar"
            packed = try BinariesBundle.pack(directory: site.directory, to: bundle)
        }

        /// The build that unpacks into `<scratch>/<name>` (the other site).
        func target(_ name: String = "site", kubernetesVersion: String = "v1.35.0") -> BinariesBuild {
            let directory = "\(scratch)/\(name)/binaries"
            let resolver = BinaryResolver(directory: directory, downloads: false, cache: scratch + "/other-cache", kubernetesVersion: kubernetesVersion,
                                          etcdVersion: "v3.6.4", architecture: "amd64")
            return BinariesBuild(directory: directory, kubernetesVersion: kubernetesVersion, etcdVersion: "v3.6.4",
                                 pauseImage: "registry.k8s.io/pause:3.10.1", cache: scratch + "/other-cache", resolver: resolver, progress: { _ in })
        }

        /// The bundle unpacked, changed by `change` (run in its directory), and packed again as `name`.
        func repacked(_ name: String, _ change: String) throws -> String {
            let work = "\(scratch)/repack-\(name)"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let output = "\(scratch)/\(name).tar"
            try Exec.check("/bin/sh", ["-c", "cd \(shellQuote(work)) && tar -xf \(shellQuote(bundle)) && \(change) && tar -cf \(shellQuote(output)) ."],
                           what: "repacking the bundle")
            return output
        }

        func stop() { site.stop() }
    }

    func members(_ tar: String) throws -> [String] {
        try Exec.check("tar", ["-tf", tar]).stdout.split(separator: "\n").map(String.init)
    }

    @Test("the bundle holds every listed file, SHA256SUMS and versions.json; --from checks and unpacks it elsewhere")
    func roundTrip() throws {
        let packed = try Packed()
        defer { packed.stop() }
        let listed = Set(packed.site.release.programs.keys)
        #expect(Set(try members(packed.bundle)) == listed.union(["SHA256SUMS", "versions.json"]))
        #expect(packed.packed.sha256 == (try FileDigest.sha256(ofFile: packed.bundle)))
        let build = packed.target()
        let report = try build.runBundle(packed.bundle)
        for (name, bytes) in packed.site.release.programs {
            #expect(FileManager.default.contents(atPath: "\(build.directory)/\(name)") == bytes, "\(name) unpacked as built")
            #expect(FileManager.default.isExecutableFile(atPath: "\(build.directory)/\(name)"), "\(name) stays executable")
        }
        #expect(report.binaries.allSatisfy { $0.action == "copied" && $0.source == "bundle binaries.tar" })
        #expect(report.binaries.first { $0.name == "kube-apiserver" }?.version == "v1.35.0", "the version comes from the bundle's versions.json")
        #expect(BinaryVersions(directory: build.directory).load()["etcd"]?.version == "v3.6.4")
        let check = try Exec.run("/bin/sh", ["-c", "cd \(shellQuote(build.directory)) && sha256sum --strict -c SHA256SUMS"])
        #expect(check.succeeded, "\(check.tail)")
        #expect(!FileManager.default.fileExists(atPath: "\(packed.scratch)/site/.binaries.unpacking"), "the staging directory is gone")
        let again = try build.runBundle(packed.bundle)
        #expect(again.binaries.allSatisfy { $0.action == "kept" })
    }

    /// A bundle changed in transit, and what the refusal must name.
    static let changes: [(name: String, change: String, names: String)] = [
        ("tampered", "printf 'x' >> kubelet", "kubelet in the bundle"),
        ("tampered-plugin", "printf 'x' >> cni/bridge", "cni/bridge in the bundle"),
        ("missing", "rm cni/portmap", "lists cni/portmap, but the bundle"),
        ("unlisted", "cp runc extra-program", "holds extra-program, which its SHA256SUMS does not list"),
        ("linked", "ln -s /etc/passwd images", "holds something that is not a plain file"),
        ("no-sums", "rm SHA256SUMS", "has no SHA256SUMS"),
        ("bad-line", "echo '0000  ../escape' >> SHA256SUMS", "of the bundle bad-line.tar's SHA256SUMS is not"),
    ]

    @Test("a bundle changed in transit is refused by name before anything is placed", arguments: 0..<changes.count)
    func changed(index: Int) throws {
        let (name, change, names) = Self.changes[index]
        let packed = try Packed()
        defer { packed.stop() }
        let bundle = try packed.repacked(name, change)
        let build = packed.target(name)
        do {
            _ = try build.runBundle(bundle)
            Issue.record("the \(name) bundle was unpacked")
        } catch let error as BinariesError {
            #expect(error.message.contains(names), "\(name): \(error.message)")
            #expect(error.code != .writeFailed, "\(name): \(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: build.directory), "\(name): nothing was placed")
        #expect(!FileManager.default.fileExists(atPath: "\(packed.scratch)/\(name)/.binaries.unpacking"), "\(name): the staging directory is gone")
    }

    @Test("a bundle whose Kubernetes is not the cluster file's release is refused, naming the program and the field")
    func otherRelease() throws {
        let packed = try Packed()
        defer { packed.stop() }
        let build = packed.target("newer", kubernetesVersion: "v1.36.0")
        do {
            _ = try build.runBundle(packed.bundle)
            Issue.record("a v1.35.0 bundle was unpacked for v1.36.0")
        } catch let error as BinariesError {
            #expect(error.code == .wrongVersion)
            #expect(error.message.contains("kube-apiserver v1.35.0") && error.message.contains("kubernetesVersion is v1.36.0"), "\(error.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: build.directory))
    }

    @Test("bundle refuses a directory that differs from its SHA256SUMS or holds an unlisted file, and writes nothing")
    func packRefuses() throws {
        let site = try ReleaseDownloadTests.Site()
        defer { site.stop() }
        _ = try site.build()
        let output = site.scratch + "/refused.tar"
        try Data("changed".utf8).write(to: URL(fileURLWithPath: "\(site.directory)/runc"))
        do {
            _ = try BinariesBundle.pack(directory: site.directory, to: output)
            Issue.record("a changed runc was packed")
        } catch let error as BinariesError {
            #expect(error.code == .checksumMismatch && error.message.hasPrefix("runc in \(site.directory) does not match"), "\(error.message)")
        }
        _ = try site.build()
        try Data("mine".utf8).write(to: URL(fileURLWithPath: "\(site.directory)/images/notes.txt"))
        do {
            _ = try BinariesBundle.pack(directory: site.directory, to: output)
            Issue.record("an unlisted file was packed")
        } catch let error as BinariesError {
            #expect(error.message == "\(site.directory)/images/notes.txt is not in its SHA256SUMS", "\(error.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: output) && !FileManager.default.fileExists(atPath: output + ".partial"))
    }
}

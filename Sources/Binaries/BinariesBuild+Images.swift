import Foundation
import Shell

/// The images apply imports into every worker's containerd: the pause image and the busybox workload,
/// as OCI archives under `images/`.
extension BinariesBuild {

    func placeImages(pause: String?, busybox: DebianPackages.Root?) throws {
        let fm = FileManager.default
        let imagesDirectory = "\(directory)/images"
        try fm.createDirectory(atPath: imagesDirectory, withIntermediateDirectories: true)
        let work = "\(imagesDirectory)/.rootfs"
        try? fm.removeItem(atPath: work)
        defer { try? fm.removeItem(atPath: work) }
        var ours: Set<String> = []
        if let pause {
            let rootfs = "\(work)/pause"
            try fm.createDirectory(atPath: rootfs, withIntermediateDirectories: true)
            try fm.copyItem(atPath: pause, toPath: "\(rootfs)/pause")
            let image = OCIImageArchive(name: pauseImage, rootfs: rootfs, entrypoint: ["/pause"],
                                        description: "the pause program built by hardway from Debian's \(KubernetesSourceBuild.package) source (build/pause)")
            try writeImage(image, file: "pause.tar", source: "build/pause of Debian's \(KubernetesSourceBuild.package) source")
            ours.insert("pause.tar")
        }
        if let busybox {
            let version = DebianPackages.upstreamVersion(busybox.version)
            let rootfs = "\(work)/busybox"
            try Self.busyboxRoot(busybox.file("/bin/busybox"), at: rootfs)
            let image = OCIImageArchive(name: Self.workloadImageName(busyboxVersion: version), rootfs: rootfs, command: ["sh"],
                                        description: "busybox \(version) from Debian's \(Self.busyboxPackage), every applet linked: the smoke tests' workload")
            try writeImage(image, file: "busybox.tar", source: "Debian \(Self.busyboxPackage) \(busybox.version)")
            ours.insert("busybox.tar")
        }
        for file in ((try? fm.contentsOfDirectory(atPath: imagesDirectory)) ?? []).sorted() where file.hasSuffix(".tar") && !ours.contains(file) {
            let path = "\(imagesDirectory)/\(file)"
            let names = try ImageArchive.names(inArchive: path)
            images.append(Image(file: "images/\(file)", name: names.joined(separator: ", "), sha256: try FileDigest.sha256(ofFile: path),
                                source: "yours", action: "yours"))
        }
    }

    func writeImage(_ image: OCIImageArchive, file: String, source: String) throws {
        let path = "\(directory)/images/\(file)"
        let fresh = path + ".new"
        try image.write(to: fresh)
        let digest = try FileDigest.sha256(ofFile: fresh)
        let existing = try? FileDigest.sha256(ofFile: path)
        if existing == digest {
            try FileManager.default.removeItem(atPath: fresh)
        } else {
            guard rename(fresh, path) == 0 else { throw BinariesError(.writeFailed, "cannot write \(path)", fix: "check the directory's permissions") }
        }
        images.append(Image(file: "images/\(file)", name: image.name, sha256: digest, source: source, action: existing == digest ? "kept" : "written"))
        progress("  images/\(file): \(image.name) (\(existing == digest ? "unchanged" : "written"))")
    }

    /// busybox with every applet it has linked in /bin, /tmp, and root and nobody in /etc/passwd.
    static func busyboxRoot(_ busybox: String, at rootfs: String) throws {
        let fm = FileManager.default
        for sub in ["bin", "etc", "tmp", "www"] { try fm.createDirectory(atPath: "\(rootfs)/\(sub)", withIntermediateDirectories: true) }
        chmod("\(rootfs)/tmp", 0o1777)
        try fm.copyItem(atPath: busybox, toPath: "\(rootfs)/bin/busybox")
        let list = try Exec.check(busybox, ["--list"], what: "listing busybox's applets")
        for applet in list.stdout.split(separator: "\n").map(String.init) where applet != "busybox" && !applet.contains("/") {
            try fm.createSymbolicLink(atPath: "\(rootfs)/bin/\(applet)", withDestinationPath: "busybox")
        }
        try "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n".write(toFile: "\(rootfs)/etc/passwd", atomically: false, encoding: .utf8)
        try "root:x:0:\nnogroup:x:65534:\n".write(toFile: "\(rootfs)/etc/group", atomically: false, encoding: .utf8)
        try "hardway\n".write(toFile: "\(rootfs)/www/index.html", atomically: false, encoding: .utf8)
    }
}

import Foundation
import Shell

/// The download path of `binaries build`: for a release Debian does not build, or when a mirror is
/// named, every binary comes from upstream's release files (or the mirror's copy of them).
extension BinariesBuild {
    /// Every artifact of `download` fetched and checked first (a mismatch stops the run before
    /// anything is placed), then its programs placed; `images/` gets busybox from Debian's
    /// busybox-static when `workloadFromDebian` and apt can give it, and keeps the archives already
    /// there. What is not there afterwards (the pause image, busybox) is listed with how to add it.
    public func runDownloads(_ download: ReleaseDownload, workloadFromDebian: Bool) throws -> Report {
        let started = Date()
        (items, images) = ([], [])
        let programs = try download.programs(progress: progress)
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for program in programs {
            let parent = (program.name as NSString).deletingLastPathComponent
            if !parent.isEmpty { try fm.createDirectory(atPath: "\(directory)/\(parent)", withIntermediateDirectories: true) }
            try place(program.file, as: program.name, source: program.source, pinned: true)
        }
        var missing: [Missing] = []
        var busybox: DebianPackages.Root?
        if workloadFromDebian {
            do {
                busybox = try packages.roots([Self.busyboxPackage], progress: progress)[Self.busyboxPackage]
            } catch {
                let reason = (error as? BinariesError)?.message ?? "\(error)"
                missing.append(Missing(name: "images/busybox.tar", fix: "the smoke tests' workload comes from Debian's \(Self.busyboxPackage), which failed (\(reason)); run this again where apt reaches Debian's archive, or put an OCI archive of a busybox image in \(directory)/images/"))
            }
        } else {
            missing.append(Missing(name: "images/busybox.tar", fix: "put an OCI archive of a busybox image in \(directory)/images/ for the smoke tests"))
        }
        try placeImages(pause: nil, busybox: busybox)
        if !images.contains(where: { $0.name.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.contains(pauseImage) }) {
            missing.append(Missing(name: "images/pause.tar", fix: "the nodes pull \(pauseImage) from its registry; for hosts without internet put its OCI archive there (`skopeo copy docker://\(pauseImage) oci-archive:\(directory)/images/pause.tar:\(pauseImage)`) and run this again"))
        }
        let sums = try writeSums()
        return Report(directory: directory, kubernetesVersion: kubernetesVersion, etcdVersion: etcdVersion, binaries: items, images: images,
                      sums: sums, built: false, seconds: Date().timeIntervalSince(started), missing: missing, releases: download.versions)
    }
}

/// Upstream's release URLs, checksum files and packing, for one set of versions and one architecture.
///
/// Source: /work/research/r2/downloads.md, read from each project's release scripts —
/// kubernetes/release `pkg/release/release.go` (`WriteChecksums`: `<file>.sha256` = hex only),
/// etcd `scripts/release.sh` and `scripts/build-binary.sh` at v3.6.14 (SHA256SUMS; one top directory),
/// containerd `Makefile` at v2.1.9 (`pack_release`: `bin/…`; `<tarball>.sha256sum`), runc
/// `script/release_build.sh` and `script/release_sign.sh` at v1.4.3/v1.5.1 (`runc.<arch>`;
/// `runc.sha256sum`, clear-signed), containernetworking/plugins `.github/workflows/release.yaml` at
/// v1.9.1 (`./`-prefixed plugins; `<tarball>.sha256`); the layout under a mirror is kubespray's
/// `roles/kubespray_defaults/defaults/main/download.yml` and `docs/operations/offline-environment.md`
/// at 46dbdd39.
extension ReleaseArtifact {
    /// Every artifact a binaries directory needs, in the order they are fetched.
    public static func upstream(_ versions: ReleaseVersions, architecture: String) -> [ReleaseArtifact] {
        kubernetes(ReleaseVersions.bare(versions.kubernetes), architecture)
            + [etcd(ReleaseVersions.bare(versions.etcd), architecture), containerd(ReleaseVersions.bare(versions.containerd), architecture),
               runc(ReleaseVersions.bare(versions.runc), architecture), cniPlugins(ReleaseVersions.bare(versions.cniPlugins), architecture)]
    }

    static func kubernetes(_ version: String, _ arch: String) -> [ReleaseArtifact] {
        KubernetesSourceBuild.components.map { name in
            let url = "https://dl.k8s.io/release/v\(version)/bin/linux/\(arch)/\(name)"
            return ReleaseArtifact(component: "kubernetes", url: url, checksumURL: url + ".sha256", checksum: .digestOnly, packing: .bare(name: name))
        }
    }

    static func etcd(_ version: String, _ arch: String) -> ReleaseArtifact {
        let release = "https://github.com/etcd-io/etcd/releases/download/v\(version)"
        let top = "etcd-v\(version)-linux-\(arch)"
        return ReleaseArtifact(component: "etcd", url: "\(release)/\(top).tar.gz", checksumURL: "\(release)/SHA256SUMS",
                               checksum: .listing(entry: "\(top).tar.gz"),
                               packing: .tarball(["etcd", "etcdctl"].map { Member(path: "\(top)/\($0)", name: $0) }))
    }

    static func containerd(_ version: String, _ arch: String) -> ReleaseArtifact {
        let file = "containerd-\(version)-linux-\(arch).tar.gz"
        let url = "https://github.com/containerd/containerd/releases/download/v\(version)/\(file)"
        return ReleaseArtifact(component: "containerd", url: url, checksumURL: url + ".sha256sum", checksum: .listing(entry: file),
                               packing: .tarball(["containerd", "containerd-shim-runc-v2", "ctr"].map { Member(path: "bin/\($0)", name: $0) }))
    }

    static func runc(_ version: String, _ arch: String) -> ReleaseArtifact {
        let release = "https://github.com/opencontainers/runc/releases/download/v\(version)"
        return ReleaseArtifact(component: "runc", url: "\(release)/runc.\(arch)", checksumURL: "\(release)/runc.sha256sum",
                               checksum: .listing(entry: "runc.\(arch)"), packing: .bare(name: "runc"))
    }

    static func cniPlugins(_ version: String, _ arch: String) -> ReleaseArtifact {
        let file = "cni-plugins-linux-\(arch)-v\(version).tgz"
        let url = "https://github.com/containernetworking/plugins/releases/download/v\(version)/\(file)"
        return ReleaseArtifact(component: "cni-plugins", url: url, checksumURL: url + ".sha256", checksum: .listing(entry: file),
                               packing: .everyFile(directory: "cni", except: ["README.md", "LICENSE"]))
    }
}

/// A worker's /etc/containerd/config.toml: containerd's CRI with runc under the systemd cgroup
/// driver, in the schema the worker's containerd reads. containerd 1.x reads schema version 2 and
/// refuses 3 ("containerd config version `3` is not supported, the max version is `2`",
/// services/server/config/config.go at v1.7.30); 2.x reads 3 and would migrate a version 2 file at
/// every start, with a warning. So the file follows the major version.
///
/// Sources (containerd/containerd at v2.0.0, v2.1.0, v2.1.9, v1.7.30: docs/cri/config.md,
/// internal/cri/config/config.go, pkg/cri/config/config.go), each key checked against Debian sid's
/// containerd 2.1.9+ds1-5 (`config dump`, a real start): /work/research/r2/containerd-v3.md.
public enum ContainerdConfig {
    /// What the configuration's layout depends on.
    public enum Schema: Equatable, Sendable {
        /// containerd 1.6 and 1.7: everything in `io.containerd.grpc.v1.cri`.
        case version2
        /// containerd 2.x: the image and runtime halves of the CRI (`io.containerd.cri.v1.images`,
        /// `…runtime`). `bin_dirs` (a list) replaced `bin_dir` in 2.1; 2.0 knows only `bin_dir`.
        case version3(cniBinDirs: Bool)
    }

    /// The containerd every release in today's data runs on a worker: Debian 12's (1.6.20~ds1), which
    /// the lab ships. A cluster file's containerd version takes its place once the model has one.
    public static let debianBookwormVersion = "1.6.20"

    /// The schema for a containerd version such as `1.6.20`, `v2.1.9` or `2.1.9+ds1`, or an error
    /// naming the versions hardway renders for.
    public static func schema(containerdVersion version: String) throws -> Schema {
        let digits = version.hasPrefix("v") ? version.dropFirst() : Substring(version)
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false).prefix(2)
            .map { Int($0.prefix { $0.isNumber }) }
        switch (parts.first ?? nil, parts.count > 1 ? parts[1] : nil) {
        case (1, let minor?) where minor >= 6: return .version2
        case (2, let minor?): return .version3(cniBinDirs: minor >= 1)
        default:
            throw RenderError(.unsupportedVersion, "containerd \(version) is not a version hardway writes a configuration for (1.6, 1.7 or 2.x)",
                              fix: "set containerdVersion to a containerd 1.6, 1.7 or 2.x release")
        }
    }

    /// The file for `containerdVersion`, with `pauseImage` as the pod sandbox image.
    public static func rendered(containerdVersion: String, pauseImage: String) throws -> String {
        switch try schema(containerdVersion: containerdVersion) {
        case .version2: return version2(pauseImage: pauseImage)
        case .version3(let cniBinDirs): return version3(pauseImage: pauseImage, cniBinDirs: cniBinDirs)
        }
    }

    /// Why `restrict_oom_score_adj` is on, in both schemas (the lab's machines depend on it).
    static let oomScoreComment = """
        # No container's OOM score below containerd's own: nothing changes where containerd runs at its
          # unit's -999 (the kubelet asks -998 and up); where it cannot lower its own score (no
          # CAP_SYS_RESOURCE, e.g. in a container) runc would otherwise fail to start any pod.
        """

    /// containerd 1.6/1.7 (schema version 2), as hardway has always written it.
    static func version2(pauseImage: String) -> String {
        """
        # written by hardway: containerd's CRI plugin with runc under the systemd cgroup driver
        version = 2

        [plugins."io.containerd.grpc.v1.cri"]
          sandbox_image = "\(pauseImage)"
          \(oomScoreComment)
          restrict_oom_score_adj = true

          [plugins."io.containerd.grpc.v1.cri".containerd]
            snapshotter = "overlayfs"
            default_runtime_name = "runc"

            [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
              runtime_type = "io.containerd.runc.v2"

              [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                SystemdCgroup = true

          [plugins."io.containerd.grpc.v1.cri".cni]
            bin_dir = "\(NodePaths.cniBinaries)"
            conf_dir = "\(NodePaths.cniConfig)"

        """
    }

    /// containerd 2.x (schema version 3): the same settings in their new places (the mapping that
    /// `containerd config migrate` applies to the version 2 file).
    static func version3(pauseImage: String, cniBinDirs: Bool) -> String {
        // A misplaced key is only a warning in 2.x ("Ignoring unknown key"): its setting would be
        // lost silently, so every key here sits in the table whose config struct declares it.
        let binaries = cniBinDirs ? "bin_dirs = ['\(NodePaths.cniBinaries)']" : "bin_dir = '\(NodePaths.cniBinaries)'"
        return """
        # written by hardway: containerd 2's CRI (image and runtime plugins) with runc under the systemd
        # cgroup driver
        version = 3

        [plugins.'io.containerd.cri.v1.images']
          snapshotter = 'overlayfs'

          # The pod sandbox image: the pause image of the release (from 1.35 on, the kubelet does not name it).
          [plugins.'io.containerd.cri.v1.images'.pinned_images]
            sandbox = '\(pauseImage)'

        [plugins.'io.containerd.cri.v1.runtime']
          \(oomScoreComment)
          restrict_oom_score_adj = true

          [plugins.'io.containerd.cri.v1.runtime'.containerd]
            default_runtime_name = 'runc'

            [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
              runtime_type = 'io.containerd.runc.v2'

              [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
                SystemdCgroup = true

          [plugins.'io.containerd.cri.v1.runtime'.cni]
            \(binaries)
            conf_dir = '\(NodePaths.cniConfig)'

        """
    }
}

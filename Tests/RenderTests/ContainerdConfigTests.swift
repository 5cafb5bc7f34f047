import Foundation
import Testing
import Render

/// containerd's config.toml per containerd version: the version 2 schema for 1.x exactly as the
/// goldens hold it, the version 3 schema for 2.x with every key in the table whose plugin declares
/// it (containerd 2 only warns about a misplaced key and drops its setting). The real containerd
/// 2.x reads the file in CLITests' Containerd2Tests.
@Suite struct ContainerdConfigTests {
    static let pause = "registry.k8s.io/pause:3.10"

    /// `[table]` → its `key = value` lines, in file order; comments and blank lines left out.
    static func tables(_ text: String) -> [(table: String, keys: [String])] {
        var result: [(table: String, keys: [String])] = [("", [])]
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) where !line.isEmpty && !line.hasPrefix("#") {
            if line.hasPrefix("[") { result.append((String(line.dropFirst().dropLast()), [])) } else { result[result.count - 1].keys.append(line) }
        }
        return result
    }

    @Test("containerd 1.6 and 1.7 get the version 2 file the goldens hold, byte for byte", arguments: ["1.6.20", "1.7.30", "v1.7.0"])
    func version2IsTheGoldenFile(_ version: String) throws {
        // The lab example: v1.20.2 on Debian 12's containerd 1.6.20.
        let golden = try String(contentsOfFile: "\(GoldenTests.golden)/lab/nodes/worker-0/etc/containerd/config.toml", encoding: .utf8)
        let pause = try KubernetesRelease.forVersion("v1.20.2").pauseImage
        #expect(golden.contains("sandbox_image = \"\(pause)\""), "the golden pins \(pause)")
        #expect(try ContainerdConfig.rendered(containerdVersion: version, pauseImage: pause) == golden)
        #expect(try ContainerdConfig.schema(containerdVersion: version) == .version2)
    }

    @Test("containerd 2.1 and later: schema 3, each setting in the image or runtime plugin that declares it, bin_dirs as a list")
    func version3Tables() throws {
        let text = try ContainerdConfig.rendered(containerdVersion: "2.1.9", pauseImage: Self.pause)
        let images = "plugins.'io.containerd.cri.v1.images'", runtime = "plugins.'io.containerd.cri.v1.runtime'"
        let expected: [(table: String, keys: [String])] = [
            ("", ["version = 3"]),
            (images, ["snapshotter = 'overlayfs'"]),
            ("\(images).pinned_images", ["sandbox = '\(Self.pause)'"]),
            (runtime, ["restrict_oom_score_adj = true"]),
            ("\(runtime).containerd", ["default_runtime_name = 'runc'"]),
            ("\(runtime).containerd.runtimes.runc", ["runtime_type = 'io.containerd.runc.v2'"]),
            ("\(runtime).containerd.runtimes.runc.options", ["SystemdCgroup = true"]),
            ("\(runtime).cni", ["bin_dirs = ['/opt/cni/bin']", "conf_dir = '/etc/cni/net.d'"]),
        ]
        let found = Self.tables(text)
        #expect(found.map(\.table) == expected.map(\.table), "\(text)")
        for (table, keys) in expected { #expect(found.first { $0.table == table }?.keys == keys, "[\(table)] in\n\(text)") }
        // Nothing of the 1.x plugin: containerd 2 would migrate or ignore it.
        #expect(!text.contains("grpc.v1.cri") && !text.contains("sandbox_image") && !text.contains("\""), "\(text)")
        // The reason for the OOM floor travels with it (the lab's machines cannot lower their score).
        #expect(text.contains("  # CAP_SYS_RESOURCE, e.g. in a container) runc would otherwise fail to start any pod.\n  restrict_oom_score_adj = true\n"), "\(text)")
        #expect(text.hasSuffix("conf_dir = '/etc/cni/net.d'\n") && !text.hasSuffix("\n\n"))
        for version in ["2.1.0", "v2.2.1", "2.3.4", "2.1.9+ds1"] {
            #expect(try ContainerdConfig.rendered(containerdVersion: version, pauseImage: Self.pause) == text, "\(version)")
        }
    }

    @Test("containerd 2.0 knows only bin_dir: the CNI table names one directory, the rest as for 2.1")
    func version20UsesBinDir() throws {
        let text = try ContainerdConfig.rendered(containerdVersion: "2.0.7", pauseImage: Self.pause)
        let newer = try ContainerdConfig.rendered(containerdVersion: "2.1.9", pauseImage: Self.pause)
        let cni = Self.tables(text).first { $0.table == "plugins.'io.containerd.cri.v1.runtime'.cni" }?.keys
        #expect(cni == ["bin_dir = '/opt/cni/bin'", "conf_dir = '/etc/cni/net.d'"], "\(text)")
        #expect(text.replacingOccurrences(of: "bin_dir = '/opt/cni/bin'", with: "bin_dirs = ['/opt/cni/bin']") == newer)
        #expect(try ContainerdConfig.schema(containerdVersion: "2.0.0") == .version3(cniBinDirs: false))
    }

    @Test("the pause image is the release's", arguments: ["1.6.20", "2.1.9"])
    func pauseImageIsTheGivenOne(_ version: String) throws {
        let text = try ContainerdConfig.rendered(containerdVersion: version, pauseImage: "registry.k8s.io/pause:3.2")
        #expect(text.contains("registry.k8s.io/pause:3.2") && !text.contains("pause:3.10"), "\(text)")
    }

    @Test("a containerd version without a known schema is refused, naming the ones hardway writes for", arguments: ["1.5.18", "3.0.0", "latest", "", "2"])
    func unknownVersionsAreRefused(_ version: String) {
        do {
            let text = try ContainerdConfig.rendered(containerdVersion: version, pauseImage: Self.pause)
            Issue.record("\(version) rendered:\n\(text)")
        } catch let error as RenderError {
            #expect(error.code == .unsupportedVersion)
            #expect(error.message == "containerd \(version) is not a version hardway writes a configuration for (1.6, 1.7 or 2.x)", "\(error.message)")
            #expect(error.fix?.contains("containerdVersion") == true, "\(String(describing: error.fix))")
        } catch {
            Issue.record("\(version): \(error)")
        }
    }
}

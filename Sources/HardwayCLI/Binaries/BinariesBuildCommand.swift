import ArgumentParser
import Foundation
import Binaries
import ClusterModel

/// `hardway binaries build`: every binary and image apply ships, for the cluster file's versions.
struct BinariesBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "put every binary and image apply needs into the binaries directory, for the cluster file's versions",
        usage: UsageLine.wrapped("hardway binaries build", "[--file <file>] [--dir <dir>] [--mirror <url>] [--from <file.tar>] [--install-prerequisites] [--output <format>]"),
        discussion: """
        Fills binaries.dir (else <dir>/binaries) with what apply ships to the hosts:

          kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
          kube-proxy, kubectl
              built from Debian's source package `kubernetes` when it holds
              kubernetesVersion (v1.20.2 on Debian 12: apt-get source, Debian's Go,
              GOPATH mode, static), cached per version under
              /var/cache/hardway/kubernetes (minutes the first time, seconds after);
              else Kubernetes' release downloads, sha256-checked
          etcd, etcdctl
              Debian's etcd-server and etcd-client when their version is
              etcdVersion: Debian 12's (v3.4.23), else Debian 13's (trixie:
              v3.5.16); else etcd's release download, sha256-checked
          containerd, containerd-shim-runc-v2, ctr
              Debian's containerd at containerdVersion: Debian 12's (v1.6.20, also
              when it is not given), else Debian 13's (trixie: v1.7.24); another
              version is an error naming what Debian has
          runc, cni/*
              Debian 12's runc (runcVersion must be its v1.1.5: trixie's does not
              run on Debian 12) and containernetworking-plugins
          images/pause.tar
              the pause program built from the same source, as the image
              containerd's sandbox_image names
          images/busybox.tar
              busybox from Debian's busybox-static, every applet linked: the smoke
              tests' workload

        Packages the box has not installed are downloaded from Debian's archive and unpacked, never \
        installed. Trixie's are fetched with apt's own tools through an apt state of hardway's own \
        (/var/cache/hardway/debs/trixie), read once; the box's apt configuration is left alone. \
        Their programs run on Debian 12. The Kubernetes build needs a deb-src line for bookworm and golang-go, make, rsync, gcc, \
        dpkg-dev and golang-github-modern-go-reflect2-dev (--install-prerequisites installs them). \
        Every pinned binary's own --version is read and must be the file's version \
        (kubernetesVersion, etcdVersion, containerdVersion; Debian's 1.6.20~ds1 is v1.6.20); versions.json \
        records each with its sha256, and SHA256SUMS lists every file. Other archives you put in \
        images/ are imported too (an air-gapped cluster).

        A release Debian does not build (any but v1.20.2), or any release when \
        binaries.mirror or --mirror names a mirror, is downloaded instead: Kubernetes' six \
        programs from dl.k8s.io, and the release files of etcd, containerd, runc and the CNI \
        plugins from GitHub, each checked against the checksum file its project publishes \
        beside it (a mismatch is refused by name before anything is placed). Versions: \
        kubernetesVersion, etcdVersion, containerdVersion, runcVersion, cniPluginsVersion. A \
        mirror holds the same paths under one base URL, upstream's host included (kubespray's \
        files_repo layout), checksum files too:

          <mirror>/dl.k8s.io/release/v1.35.0/bin/linux/amd64/kube-apiserver
          <mirror>/dl.k8s.io/release/v1.35.0/bin/linux/amd64/kube-apiserver.sha256
          <mirror>/github.com/etcd-io/etcd/releases/download/v3.6.4/SHA256SUMS

        --from unpacks a bundle that `hardway binaries bundle` wrote (a site without internet): \
        every line of its SHA256SUMS is checked, and a tampered, missing or unlisted file is \
        refused by name before anything is placed.

        Examples:
          hardway binaries build -f lab.yaml
          hardway binaries build -f lab.yaml --install-prerequisites
          hardway binaries build -f aws.yaml
          hardway binaries build -f aws.yaml --mirror http://mirror.lan/files
          hardway binaries build -f site.yaml --from binaries.tar
          hardway binaries build -f lab.yaml -o json | jq -r '.binaries[].name'
          (cd lab/binaries && sha256sum -c SHA256SUMS)
        """
    )

    @OptionGroup var cluster: ClusterFileOptions
    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    @Flag(help: "apt-get install what the Kubernetes build needs (golang-go, make, rsync, gcc, dpkg-dev, golang-github-modern-go-reflect2-dev), and add the box's Debian sources as deb-src when apt has none")
    var installPrerequisites = false

    @Option(help: ArgumentHelp("download every binary from this files repository (upstream's host and path under it) instead of upstream; overrides binaries.mirror", valueName: "url"))
    var mirror: String?

    @Option(help: ArgumentHelp("check and unpack a bundle from `hardway binaries bundle` instead of downloading or building", valueName: "file.tar"))
    var from: String?

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (resolved, directory) = try cluster.open(in: directoryOptions)
        if let from {
            guard mirror == nil else { throw CLIError("--from and --mirror both name where the binaries come from", fix: "pass one of them") }
            return try show(building { try directory.binariesBuild(for: resolved).runBundle(from) })
        }
        if let mirror, let problem = Cluster.Binaries.mirrorProblem(mirror) {
            throw CLIError("--mirror \(mirror.debugDescription) \(problem)", fix: "give the base URL of a files repository, like http://mirror.lan/files")
        }
        let mirrorURL = mirror.map(Cluster.Binaries.normalizedMirror) ?? resolved.binaries.mirror
        if mirrorURL != nil || !KubernetesSourceBuild.knownVersions.contains(BinaryVersions.normalized(resolved.kubernetesVersion)) {
            let download = ReleaseDownload(versions: directory.releaseVersions(for: resolved), mirror: mirrorURL, cache: "\(hardwayCache)/downloads")
            return try show(building {
                do {
                    return try directory.binariesBuild(for: resolved).runDownloads(download, workloadFromDebian: true)
                } catch let error as BinariesError where error.code == .downloadFailed && mirrorURL == nil {
                    // Say what this box can build without the internet.
                    let buildable = KubernetesSourceBuild.knownVersions.joined(separator: ", ")
                    throw BinariesError(.downloadFailed, error.message, fix: (error.fix ?? "") +
                                        "; hardway builds \(buildable) from Debian's source here: set kubernetesVersion: \(KubernetesSourceBuild.knownVersions[0]) to use it")
                }
            })
        }
        if installPrerequisites, KubernetesSourceBuild.knownVersions.contains(resolved.kubernetesVersion), !DebianPackages.hasSourcePackages() {
            let file = try building { try DebianPackages.enableSourcePackages() }
            Terminal.err("apt had no deb-src line: wrote \(file) (this box's Debian sources, as source packages)")
        }
        let missing = KubernetesSourceBuild.missingPrerequisites()
        if installPrerequisites, !missing.isEmpty {
            Terminal.err("installing what the Kubernetes build needs: apt-get install -y \(missing.joined(separator: " "))")
            let result = try building { try DebianPackages.install(missing) }
            if !result.succeeded { throw CLIError("apt-get install \(missing.joined(separator: " ")) failed (\(result.tail))", fix: "run it by hand to see why") }
        }
        let build = try directory.binariesBuild(for: resolved)
        try show(building { try build.run() })
    }

    func show(_ report: BinariesBuild.Report) throws {
        try output.print(report) {
            Self.print(report)
            Terminal.out(String(format: "\n%@ in %.1f s; next: hardway apply -f %@", report.built ? "built and filled" : "filled", report.seconds, cluster.file))
        }
    }

    static func print(_ report: BinariesBuild.Report) {
        var table = TextTable(["BINARY", "VERSION", "ACTION", "FROM"])
        let cni = report.binaries.filter { $0.name.hasPrefix("cni/") }
        for item in report.binaries where !item.name.hasPrefix("cni/") {
            table.add([item.name, item.version ?? "-", item.action, item.source])
        }
        if let first = cni.first {
            let actions = Set(cni.map(\.action)).sorted().joined(separator: ", ")
            table.add(["cni/ (\(cni.count) plugins)", "-", actions, first.source])
        }
        Terminal.out("binaries in \(report.directory):")
        Terminal.out(table.render())
        if !report.images.isEmpty {
            var images = TextTable(["IMAGE ARCHIVE", "NAME", "ACTION", "FROM"])
            for image in report.images { images.add([image.file, image.name, image.action, image.source]) }
            Terminal.out()
            Terminal.out(images.render())
        }
        if !report.sums.isEmpty { Terminal.out("\nsha256 of every file: \(report.sums)") }
        for missing in report.missing ?? [] { Terminal.out("not there: \(missing.name): \(missing.fix)") }
    }
}

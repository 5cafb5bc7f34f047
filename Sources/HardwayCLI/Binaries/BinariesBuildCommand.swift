import ArgumentParser
import Foundation
import Binaries

/// `hardway binaries build`: every binary and image apply ships, for the cluster file's versions.
struct BinariesBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "put every binary and image apply needs into the binaries directory, for the cluster file's versions",
        usage: UsageLine.wrapped("hardway binaries build", "[--file <file>] [--dir <dir>] [--install-prerequisites] [--output <format>]"),
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
              etcdVersion, else etcd's release download, sha256-checked
          containerd, containerd-shim-runc-v2, ctr, runc, cni/*
              Debian's containerd, runc and containernetworking-plugins
          images/pause.tar
              the pause program built from the same source, as the image
              containerd's sandbox_image names
          images/busybox.tar
              busybox from Debian's busybox-static, every applet linked: the smoke
              tests' workload

        Packages the box has not installed are downloaded from Debian's archive and unpacked, never \
        installed. The Kubernetes build needs a deb-src line for bookworm and golang-go, make, rsync, gcc, \
        dpkg-dev and golang-github-modern-go-reflect2-dev (--install-prerequisites installs them). \
        Every pinned binary's own --version is read and must be the file's version; versions.json \
        records each with its sha256, and SHA256SUMS lists every file. Other archives you put in \
        images/ are imported too (an air-gapped cluster).

        Examples:
          hardway binaries build -f lab.yaml
          hardway binaries build -f lab.yaml --install-prerequisites
          hardway binaries build -f lab.yaml -o json | jq -r '.binaries[].name'
          (cd lab/binaries && sha256sum -c SHA256SUMS)
        """
    )

    @OptionGroup var cluster: ClusterFileOptions
    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    @Flag(help: "apt-get install what the Kubernetes build needs (golang-go, make, rsync, gcc, dpkg-dev, golang-github-modern-go-reflect2-dev), and add the box's Debian sources as deb-src when apt has none")
    var installPrerequisites = false

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (resolved, directory) = try cluster.open(in: directoryOptions)
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
        let report = try building { try build.run() }
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
    }
}

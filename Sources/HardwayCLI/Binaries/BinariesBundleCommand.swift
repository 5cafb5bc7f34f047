import ArgumentParser
import Foundation
import Binaries

/// `hardway binaries bundle`: the binaries directory as one tar, for a site without internet.
struct BinariesBundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "pack the cluster's binaries directory into one tar for a site without internet",
        usage: UsageLine.wrapped("hardway binaries bundle", "[--file <file>] [--dir <dir>] --output <file.tar>"),
        discussion: """
        Packs binaries.dir (else <dir>/binaries) as `hardway binaries build` filled it: every \
        binary, cni/ and images/ file its SHA256SUMS lists, SHA256SUMS itself and versions.json. \
        The directory is checked against its SHA256SUMS first: a file that differs, is missing, \
        or is not listed stops the bundle, naming it. The tar's own sha256 is printed; compare it \
        where you copy it to, then run `hardway binaries build --from` there (it checks every \
        line again and unpacks).

        Examples:
          hardway binaries build -f aws.yaml
          hardway binaries bundle -f aws.yaml -o binaries.tar
          hardway binaries build -f aws.yaml --from binaries.tar
        """
    )

    @OptionGroup var cluster: ClusterFileOptions
    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("the tar to write", valueName: "file.tar"))
    var output: String

    func run() async throws {
        let (resolved, directory) = try cluster.open(in: directoryOptions)
        let binaries = directory.binariesDirectory(for: resolved)
        let packed = try building { try BinariesBundle.pack(directory: binaries, to: output) }
        Terminal.out("bundled \(packed.files.count) files of \(binaries) into \(packed.bundle)")
        Terminal.out("sha256 \(packed.sha256)  \((packed.bundle as NSString).lastPathComponent)")
        Terminal.out("next: copy it, check that sha256 there, and run `hardway binaries build -f \(cluster.file) --from \((packed.bundle as NSString).lastPathComponent)`")
    }
}

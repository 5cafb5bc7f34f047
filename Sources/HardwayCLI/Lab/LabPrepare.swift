import ArgumentParser
import Foundation
import Lab

/// `hardway lab prepare`: the cached root, built ahead of time (CI, a slow link).
struct LabPrepare: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "build the cached Debian 12 root that lab machines start from, without starting any",
        discussion: """
        `lab up` does this itself when the root is missing; run it ahead to keep the download out of \
        a later step. Needs no cluster file.

        Examples:
          sudo hardway lab prepare
          sudo hardway lab prepare --install-prerequisites
          sudo hardway lab prepare --mirror http://ftp.de.debian.org/debian
        """
    )

    @Flag(help: "install what the box lacks (systemd-container, debootstrap, …) with apt-get")
    var installPrerequisites = false

    @Option(help: ArgumentHelp("the Debian mirror debootstrap builds the root from", valueName: "url"))
    var mirror: String = RootImage.defaultMirror

    func run() async throws {
        try requirePrerequisites(install: installPrerequisites)
        let image = RootImage()
        let result = try labbing { try image.ensure(mirror: mirror, progress: { Terminal.err($0) }) }
        if result.built {
            Terminal.out(String(format: "built the lab root in %.0f s: %@", result.seconds, image.root))
        } else {
            Terminal.out("the lab root is ready: \(image.root)")
        }
    }
}

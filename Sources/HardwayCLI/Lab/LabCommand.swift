import ArgumentParser
import Foundation
import Lab
import Shell

/// `hardway lab`: the cluster's machines on this box.
struct LabCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "run the cluster's machines on this Linux box: systemd-nspawn containers on a bridge, reached over ssh",
        discussion: """
        Every host of the cluster file becomes a machine with real systemd and sshd, in a network \
        namespace of its own on a bridge named after the cluster (hw-<name>); the box gets an address \
        on that bridge, so your shell reaches every machine; nothing is routed off the box. The machines \
        start from a Debian 12 root built once with debootstrap and cached in /var/cache/hardway/lab \
        (HARDWAY_LAB_CACHE moves it). Needs root.

        Examples:
          sudo hardway lab up -f lab.yaml
          sudo hardway lab status -f lab.yaml
          sudo hardway lab ssh master-0 -f lab.yaml -- systemctl is-system-running
          ssh -F lab/ssh/config worker-1
          sudo hardway lab down -f lab.yaml
        """,
        subcommands: [LabUp.self, LabStatus.self, LabSSH.self, LabDown.self, LabPrepare.self]
    )
}

/// Runs lab work, turning its errors into the CLI's.
func labbing<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ShellError {
        throw CLIError(error.message, fix: error.fix)
    }
}

/// The lab's files and processes belong to root.
func requireRoot() throws {
    guard geteuid() == 0 else {
        throw CLIError("the lab belongs to root: its state, keys and machines are root's", fix: "run it again with sudo")
    }
}

/// Stops with the apt-get line when the box lacks what the lab needs (or installs it when asked).
func requirePrerequisites(install: Bool) throws {
    var check = Prerequisites.check()
    guard check.isRoot else {
        throw CLIError("the lab needs root: it makes network namespaces, a bridge, mounts and containers",
                       fix: "run it again with sudo")
    }
    if !check.missing.isEmpty, install, let command = check.installCommand {
        Terminal.err("installing the lab's prerequisites: \(command)")
        try labbing { try check.install() }
        check = Prerequisites.check()
    }
    if let command = check.installCommand {
        throw CLIError("this box lacks \(check.missing.map(\.program).joined(separator: ", ")) for the lab",
                       fix: "run `\(command)`, or pass --install-prerequisites")
    }
}

func megabytes(_ bytes: UInt64?) -> String {
    bytes.map { String(format: "%.0f MiB", Double($0) / 1_048_576) } ?? "-"
}

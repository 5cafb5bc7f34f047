import ArgumentParser
import Foundation
import Shell
import Binaries

/// `hardway binaries`: the programs and images apply ships.
struct BinariesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "binaries",
        abstract: "fill the cluster's binaries directory: Kubernetes, etcd, containerd, runc, CNI plugins, images",
        discussion: """
        Examples:
          hardway binaries build -f lab.yaml
          hardway binaries build -f aws.yaml --mirror http://mirror.lan/files
          hardway binaries bundle -f aws.yaml -o binaries.tar
          hardway binaries build -f aws.yaml --from binaries.tar
        """,
        subcommands: [BinariesBuildCommand.self, BinariesBundleCommand.self]
    )
}

/// Where hardway keeps what is slow to make: builds, downloads, the lab root.
/// `HARDWAY_CACHE`, else /var/cache/hardway for root and ~/.cache/hardway for others.
var hardwayCache: String {
    ProcessInfo.processInfo.environment["HARDWAY_CACHE"] ?? (geteuid() == 0 ? "/var/cache/hardway" : NSHomeDirectory() + "/.cache/hardway")
}

/// Runs binaries work, turning its errors into the CLI's.
func building<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ShellError {
        throw CLIError(error.message, fix: error.fix)
    } catch let error as BinariesError {
        throw CLIError(error.message, fix: error.fix)
    }
}

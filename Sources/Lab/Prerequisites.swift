import Foundation
import Shell

/// What the box needs before a lab can start, and the apt-get line that provides it.
public struct Prerequisites: Sendable, Equatable {
    public struct Tool: Sendable, Equatable {
        public var program: String
        public var package: String
    }

    public static let tools = [
        Tool(program: "systemd-nspawn", package: "systemd-container"),
        Tool(program: "debootstrap", package: "debootstrap"),
        Tool(program: "ip", package: "iproute2"),
        Tool(program: "ssh", package: "openssh-client"),
        Tool(program: "ssh-keygen", package: "openssh-client"),
        Tool(program: "mount", package: "mount"),
    ]

    public var isRoot: Bool
    public var missing: [Tool]

    /// Checks this box.
    public static func check() -> Prerequisites {
        check(isRoot: geteuid() == 0, has: { Exec.find($0) != nil })
    }

    /// The check itself, for any answers (tests).
    public static func check(isRoot: Bool, has: (String) -> Bool) -> Prerequisites {
        Prerequisites(isRoot: isRoot, missing: tools.filter { !has($0.program) })
    }

    public var packages: [String] {
        var seen: [String] = []
        for tool in missing where !seen.contains(tool.package) { seen.append(tool.package) }
        return seen
    }

    public var satisfied: Bool { isRoot && missing.isEmpty }

    /// The command that installs what is missing, or nil when nothing is.
    public var installCommand: String? {
        packages.isEmpty ? nil : "apt-get update && apt-get install -y " + packages.joined(separator: " ")
    }

    /// Runs `installCommand` (as root, without questions).
    public func install() throws {
        guard !packages.isEmpty else { return }
        let environment = ["DEBIAN_FRONTEND": "noninteractive"]
        try Exec.check("apt-get", ["update"], what: "apt-get update")
        let result = try Exec.run("apt-get", ["install", "-y", "--no-install-recommends"] + packages, environment: environment)
        guard result.succeeded else {
            // Thrown as the ShellError the CLI reports (see LabError.surfacing).
            throw ShellError(LabError(.installFailed, "apt-get install \(packages.joined(separator: " ")) failed (\(result.tail))", fix: "run it by hand to see why"))
        }
    }
}

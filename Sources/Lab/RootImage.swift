import Foundation
import Shell
import Crypto

/// The Debian 12 root file system every lab machine starts from: built once with debootstrap,
/// cached under `/var/cache/hardway/lab/` (or `$HARDWAY_LAB_CACHE`), then overlaid per machine.
/// Its directory name carries a hash of the recipe, so a changed package list builds a new root and
/// never patches an old one.
public struct RootImage: Sendable {
    public static let suite = "bookworm"
    public static let defaultMirror = "http://deb.debian.org/debian"
    /// minbase, then what a machine needs to boot and be reached (systemd, dbus, sshd), to network
    /// (iproute2, iptables, ping), and the OS packages a deploy installs on a real machine.
    public static let packages = [
        "systemd", "systemd-sysv", "dbus", "openssh-server", "iproute2", "iptables", "iputils-ping", "procps",
        "haproxy", "nginx-light", "libnginx-mod-stream", "conntrack", "socat", "ipset", "curl", "ca-certificates", "sudo",
    ]
    /// Units the lab switches off in the image: haproxy and nginx start only where the deploy puts
    /// their configuration; timers and a console login nobody can reach only cost memory.
    static let disabledUnits = ["haproxy.service", "nginx.service"]
    static let maskedUnits = ["apt-daily.timer", "apt-daily-upgrade.timer", "e2scrub_all.timer", "e2scrub_reap.service",
                              "dpkg-db-backup.timer", "console-getty.service", "systemd-networkd-wait-online.service"]
    static let recipeVersion = 1
    static let marker = "etc/hardway-lab-root"

    public var base: String

    public init(base: String? = nil) {
        self.base = base ?? ProcessInfo.processInfo.environment["HARDWAY_LAB_CACHE"] ?? "/var/cache/hardway/lab"
    }

    public static var recipeKey: String {
        let recipe = "\(recipeVersion) \(suite) minbase \(packages.joined(separator: ",")) disable \(disabledUnits) mask \(maskedUnits)"
        return SHA256.hash(data: Data(recipe.utf8)).map { String(format: "%02x", $0) }.joined().prefix(10).description
    }

    public var directory: String { "\(base)/debian-12-\(Self.recipeKey)" }
    public var root: String { "\(directory)/root" }
    var partial: String { "\(directory)/root.partial" }

    public var isReady: Bool { FileManager.default.fileExists(atPath: "\(root)/\(Self.marker)") }

    /// Builds the root unless it is there; `progress` gets debootstrap's own step lines.
    /// Interrupted builds leave only `root.partial`, which the next build removes first.
    public func ensure(mirror: String = RootImage.defaultMirror, progress: @escaping @Sendable (String) -> Void) throws -> (built: Bool, seconds: Double) {
        try LabError.surfacing {
            if isReady { return (false, 0) }
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let lock = try ExclusiveLock("\(directory)/.lock", waiting: { progress("waiting for another hardway building the same root in \(directory)") },
                                         unwritable: LabError(.unwritableCache, "cannot write in \(directory)", fix: "run as root, or point HARDWAY_LAB_CACHE at a writable directory"))
            defer { withExtendedLifetime(lock) {} }
            if isReady { return (false, 0) }
            let started = Date()
            try? FileManager.default.removeItem(atPath: partial)
            try? FileManager.default.removeItem(atPath: root)
            guard let debootstrap = Exec.find("debootstrap") else {
                throw LabError(.missingProgram, "debootstrap is not installed", fix: "run `apt-get install -y debootstrap` or pass --install-prerequisites")
            }
            progress("building the lab root: debootstrap \(Self.suite) from \(mirror) into \(directory) (once; about a minute)")
            let log = "\(directory)/debootstrap.log"
            let arguments = ["--variant=minbase", "--include=\(Self.packages.joined(separator: ","))", Self.suite, partial, mirror]
            let status = try Self.follow(debootstrap, arguments, log: log, progress: progress)
            guard status == 0 else {
                let tail = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(4).joined(separator: " / ")
                throw LabError(.imageBuildFailed, "debootstrap failed (exit \(status)): \(tail)",
                               fix: "see \(log); check that \(mirror) is reachable (or pass --mirror), then run again")
            }
            progress("customizing the lab root (host keys removed, haproxy and nginx off until deployed)")
            try customize(partial, mirror: mirror)
            guard rename(partial, root) == 0 else { throw LabError(.imageBuildFailed, "cannot move \(partial) to \(root): \(String(cString: strerror(errno)))") }
            return (true, Date().timeIntervalSince(started))
        }
    }

    /// Removes the cached root (`lab down --purge`).
    public func purge() throws {
        guard FileManager.default.fileExists(atPath: directory) else { return }
        try FileManager.default.removeItem(atPath: directory)
    }

    func customize(_ root: String, mirror: String) throws {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: "\(root)/etc/ssh")) ?? [] where name.hasPrefix("ssh_host_") {
            try fm.removeItem(atPath: "\(root)/etc/ssh/\(name)")
        }
        try """
        # hardway lab: each machine gets its own ed25519 host key (in known_hosts on the box); keys only.
        HostKey /etc/ssh/ssh_host_ed25519_key
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        UseDNS no

        """.write(toFile: "\(root)/etc/ssh/sshd_config.d/hardway-lab.conf", atomically: true, encoding: .utf8)
        try? fm.removeItem(atPath: "\(root)/etc/hostname")
        try "".write(toFile: "\(root)/etc/machine-id", atomically: true, encoding: .utf8)
        for directory in ["var/cache/apt/archives", "var/lib/apt/lists"] {
            for name in (try? fm.contentsOfDirectory(atPath: "\(root)/\(directory)")) ?? [] where name.hasSuffix(".deb") || name.hasSuffix("_Packages") {
                try? fm.removeItem(atPath: "\(root)/\(directory)/\(name)")
            }
        }
        try Exec.check("systemctl", ["--root=\(root)", "disable"] + Self.disabledUnits, what: "disabling haproxy and nginx in the lab root")
        try Exec.check("systemctl", ["--root=\(root)", "mask"] + Self.maskedUnits, what: "masking timers in the lab root")
        try """
        hardway lab root \(Self.recipeKey)
        debootstrap --variant=minbase --include=\(Self.packages.joined(separator: ",")) \(Self.suite) from \(mirror)
        disabled: \(Self.disabledUnits.joined(separator: " "))
        masked: \(Self.maskedUnits.joined(separator: " "))

        """.write(toFile: "\(root)/\(Self.marker)", atomically: true, encoding: .utf8)
    }

    /// Runs a program with its output in `log`, passing each new `I: …` line to `progress`.
    static func follow(_ program: String, _ arguments: [String], log: String, progress: (String) -> Void) throws -> Int32 {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try Launch.locked { try process.run() }
        var last = ""
        // No deadline: debootstrap ends, or fails, by itself; the wait only passes its steps on.
        _ = Poll.until(timeout: .infinity, every: 0.5) { () -> Bool? in
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").last(where: { $0.hasPrefix("I: ") }).map({ String($0.dropFirst(3)) }), line != last {
                last = line
                progress("  debootstrap: \(line.lowercased())")
            }
            return process.isRunning ? nil : true
        }
        return process.terminationStatus
    }
}

import Foundation
import Shell
import ClusterModel

/// What the box already has, read through `ip -j` and /proc: the lab checks it before it creates
/// anything, so a collision is reported instead of half-made.
public enum HostNetwork {
    public struct Link: Sendable, Equatable {
        public var name: String
        public var alias: String?
    }

    public struct Address: Sendable, Equatable {
        public var interface: String
        public var address: IPv4Address
        public var prefixLength: Int
    }

    public struct Route: Sendable, Equatable {
        public var destination: IPv4CIDR
        public var device: String
    }

    static func json(_ arguments: [String]) throws -> [[String: Any]] {
        let result = try Exec.check("ip", ["-j"] + arguments)
        let text = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return [] }
        return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]) ?? []
    }

    public static func links() throws -> [Link] {
        try json(["link", "show"]).compactMap { entry in
            (entry["ifname"] as? String).map { Link(name: $0, alias: entry["ifalias"] as? String) }
        }
    }

    public static func addresses() throws -> [Address] {
        try json(["-4", "addr", "show"]).flatMap { entry -> [Address] in
            let name = entry["ifname"] as? String ?? "?"
            return (entry["addr_info"] as? [[String: Any]] ?? []).compactMap { info in
                guard let local = info["local"] as? String, let address = IPv4Address(local) else { return nil }
                return Address(interface: name, address: address, prefixLength: info["prefixlen"] as? Int ?? 32)
            }
        }
    }

    public static func routes() throws -> [Route] {
        try json(["-4", "route", "show", "table", "all"]).compactMap { entry in
            guard let device = entry["dev"] as? String, let destination = entry["dst"] as? String,
                  destination != "default", (entry["type"] as? String).map({ $0 == "unicast" }) ?? true else { return nil }
            let cidr = destination.contains("/") ? IPv4CIDR(destination) : IPv4CIDR(destination + "/32")
            return cidr.map { Route(destination: $0, device: device) }
        }
    }

    public static func namespaces() -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        return Set(names)
    }
}

/// Processes, read from /proc: a machine is its systemd-nspawn process, known by pid and start time
/// so a reused pid is never mistaken for it.
public enum ProcessTable {
    /// Field 22 of /proc/PID/stat (clock ticks after boot), and the state letter.
    static func stat(_ pid: pid_t) -> (state: Character, startTime: UInt64)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let start = UInt64(fields[19]) else { return nil }
        return (state, start)
    }

    public static func startTime(_ pid: pid_t) -> UInt64? { stat(pid)?.startTime }

    /// Running (not a zombie) and the same process that was started.
    public static func isRunning(_ pid: pid_t, startTime: UInt64?) -> Bool {
        guard let stat = stat(pid), stat.state != "Z", stat.state != "X" else { return false }
        return startTime.map { $0 == stat.startTime } ?? true
    }

    /// Proportional set size in bytes (shared pages divided among their users).
    public static func pss(_ pid: pid_t) -> UInt64 {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("Pss:") {
            let value = line.split(separator: " ").dropFirst().first.flatMap { UInt64($0) } ?? 0
            return value * 1024
        }
        return 0
    }
}

/// The cgroups a machine runs in: one directory per mounted hierarchy — the v2 tree; on hybrid and
/// legacy boxes the `name=systemd` tree that systemd in the container needs, and every v1 controller,
/// so that what a kubelet in the machine creates (kubepods.slice) lands below the machine's own group
/// and goes with it, instead of at the box's top level.
public enum Cgroups {
    public static func hierarchies() -> [String] {
        let fm = FileManager.default
        if fm.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers") { return ["/sys/fs/cgroup"] }
        return ["/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified"].filter { fm.fileExists(atPath: "\($0)/cgroup.procs") } + controllers()
    }

    /// The v1 controller hierarchies: every cgroup mount under /sys/fs/cgroup but the named ones, one
    /// path each (links such as cpu,cpuacct → cpu skipped).
    public static func controllers() -> [String] {
        let fm = FileManager.default
        let entries = ((try? fm.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []).sorted()
        return entries.compactMap { name -> String? in
            let path = "/sys/fs/cgroup/\(name)"
            guard name != "systemd", name != "unified", (try? fm.destinationOfSymbolicLink(atPath: path)) == nil,
                  fm.fileExists(atPath: "\(path)/cgroup.procs"), !fm.fileExists(atPath: "\(path)/cgroup.controllers") else { return nil }
            return path
        }
    }

    /// A new v1 cpuset group has no CPUs or memory nodes, and nothing can join it (ENOSPC) until it
    /// has: each level of `group` below `hierarchy` gets its parent's.
    public static func fillCpuset(hierarchy: String, group: String) throws {
        guard FileManager.default.fileExists(atPath: "\(hierarchy)/cpuset.mems") else { return }
        var parent = hierarchy
        for component in group.split(separator: "/") {
            let path = "\(parent)/\(component)"
            for file in ["cpuset.cpus", "cpuset.mems"] {
                let mine = ((try? String(contentsOfFile: "\(path)/\(file)", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                guard mine.isEmpty else { continue }
                let theirs = ((try? String(contentsOfFile: "\(parent)/\(file)", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                try theirs.write(toFile: "\(path)/\(file)", atomically: false, encoding: .utf8)
            }
            parent = path
        }
    }

    /// Every process in `directory` and below.
    public static func processes(in directory: String) -> [pid_t] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var result = pids(in: directory)
        while let entry = enumerator.nextObject() as? String {
            if (entry as NSString).lastPathComponent == "cgroup.procs" {
                result += pids(in: "\(directory)/\((entry as NSString).deletingLastPathComponent)")
            }
        }
        return Array(Set(result)).sorted()
    }

    static func pids(in directory: String) -> [pid_t] {
        ((try? String(contentsOfFile: "\(directory)/cgroup.procs", encoding: .utf8)) ?? "")
            .split(separator: "\n").compactMap { pid_t($0) }
    }

    /// Removes `directory` and every cgroup below it (each must be empty of processes).
    public static func remove(_ directory: String) -> Bool {
        let fm = FileManager.default
        guard fm.fileExists(atPath: directory) else { return true }
        let children = ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).filter {
            var isDirectory: ObjCBool = false
            return fm.fileExists(atPath: "\(directory)/\($0)", isDirectory: &isDirectory) && isDirectory.boolValue
        }
        var removed = true
        for child in children { removed = remove("\(directory)/\(child)") && removed }
        return rmdir(directory) == 0 && removed
    }
}

/// Mounts, read from /proc/self/mountinfo.
public enum Mounts {
    public static func mountPoints() -> [String] {
        ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count > 4 ? unescape(String(fields[4])) : nil
        }
    }

    /// The lower directories of every overlay mount: which mounts use a root image.
    public static func overlayLowerDirectories() -> [String] {
        ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "").split(separator: "\n").flatMap { line -> [String] in
            guard line.contains(" - overlay ") else { return [] }
            return line.split(separator: ",").compactMap { option in
                option.hasPrefix("lowerdir=") ? unescape(String(option.dropFirst("lowerdir=".count))) : nil
            }
        }
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\040", with: " ").replacingOccurrences(of: "\\011", with: "\t")
            .replacingOccurrences(of: "\\012", with: "\n").replacingOccurrences(of: "\\134", with: "\\")
    }

    public static var supportsOverlay: Bool {
        ((try? String(contentsOfFile: "/proc/filesystems", encoding: .utf8)) ?? "").contains("\toverlay")
    }
}

import Foundation

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

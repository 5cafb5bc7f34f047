import Foundation

/// The cgroups a machine runs in: one directory per mounted hierarchy — the v2 tree; on hybrid and
/// legacy boxes the `name=systemd` tree that systemd in the container needs, and every v1 controller,
/// so that what a kubelet in the machine creates (kubepods.slice) lands below the machine's own group
/// and goes with it, instead of at the box's top level.
public enum Cgroups {
    /// Where the kernel's cgroup file systems are mounted on every box hardway knows.
    public static let defaultRoot = "/sys/fs/cgroup"

    /// How a box mounts its cgroups.
    public enum Layout: String, Sendable, Equatable {
        /// cgroup v1 only: a `name=systemd` tree and one tree per controller (or group of them).
        case legacy
        /// v1 controllers, with an empty v2 tree at `unified` that systemd tracks its units in.
        case hybrid
        /// cgroup v2 only: one tree at the root holding every controller.
        case unified
    }

    /// The layout under `root`: v2 at the root shows `cgroup.controllers` there; hybrid has it in
    /// `unified` only.
    public static func layout(root: String = defaultRoot) -> Layout {
        let fm = FileManager.default
        if fm.fileExists(atPath: "\(root)/cgroup.controllers") { return .unified }
        return fm.fileExists(atPath: "\(root)/unified/cgroup.controllers") ? .hybrid : .legacy
    }

    /// The hierarchies a machine gets a group in: the root alone on v2; else the systemd and unified
    /// trees (where they exist) and every v1 controller.
    public static func hierarchies(root: String = defaultRoot) -> [String] {
        let fm = FileManager.default
        if layout(root: root) == .unified { return [root] }
        return ["\(root)/systemd", "\(root)/unified"].filter { fm.fileExists(atPath: "\($0)/cgroup.procs") } + controllers(root: root)
    }

    /// The v1 controller hierarchies: every cgroup mount under `root` but the named ones, one path
    /// each (links such as cpu,cpuacct → cpu skipped).
    public static func controllers(root: String = defaultRoot) -> [String] {
        let fm = FileManager.default
        let entries = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).sorted()
        return entries.compactMap { name -> String? in
            let path = "\(root)/\(name)"
            guard name != "systemd", name != "unified", (try? fm.destinationOfSymbolicLink(atPath: path)) == nil,
                  fm.fileExists(atPath: "\(path)/cgroup.procs"), !fm.fileExists(atPath: "\(path)/cgroup.controllers") else { return nil }
            return path
        }
    }

    /// On v2 a group has only the controllers its parent hands down (`cgroup.subtree_control`), and a
    /// new group's is empty: without this, a machine at `hardway/<cluster>/<host>` would get no cpu,
    /// memory or pids controller, and neither would the kubelet's kubepods.slice inside it. Each
    /// level above `group` passes down what it has (its `cgroup.controllers`), one controller per
    /// write so that one the kernel refuses does not take the others with it. Nothing to do on v1,
    /// and in a hybrid box's `unified` tree, which holds no controllers.
    public static func delegateControllers(hierarchy: String, group: String) throws {
        var parent = hierarchy
        var levels = [hierarchy]
        for component in group.split(separator: "/").dropLast() {
            parent += "/\(component)"
            levels.append(parent)
        }
        for level in levels where FileManager.default.fileExists(atPath: "\(level)/cgroup.subtree_control") {
            let available = ((try? String(contentsOfFile: "\(level)/cgroup.controllers", encoding: .utf8)) ?? "").split(whereSeparator: \.isWhitespace)
            let enabled = Set(((try? String(contentsOfFile: "\(level)/cgroup.subtree_control", encoding: .utf8)) ?? "").split(whereSeparator: \.isWhitespace))
            var refused: [String] = []
            for controller in available where !enabled.contains(controller) {
                // O_APPEND: the kernel reads each write as one command; a plain file (a test's fake
                // tree) keeps every line written.
                let descriptor = open("\(level)/cgroup.subtree_control", O_WRONLY | O_APPEND)
                let line = Array("+\(controller)\n".utf8)
                if descriptor < 0 || write(descriptor, line, line.count) != line.count { refused.append(String(controller)) }
                if descriptor >= 0 { close(descriptor) }
            }
            // The kubelet needs these three; the others (io, hugetlb, rdma…) are welcome but optional.
            let needed = refused.filter { ["cpu", "memory", "pids"].contains($0) }
            guard needed.isEmpty else {
                throw LabError(.cgroupDelegation, "cannot hand the \(needed.joined(separator: ", ")) controller\(needed.count == 1 ? "" : "s") down from \(level) (cgroup v2)",
                               fix: "check that \(level) holds no processes of its own (cgroup v2 lets only an empty group delegate), then run `hardway lab up` again")
            }
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

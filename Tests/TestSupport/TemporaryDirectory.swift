import Foundation

/// A directory of its own for one test, under the system's temporary directory, removed when the
/// test process exits: a failing test's files stay while its messages can name them, and nothing
/// stays on the box after. A directory with a mount still under it (a lab test that could not take
/// its machines down) is left for a person to look at, never removed through the mount.
public enum TemporaryDirectory {
    public static func make(_ prefix: String) throws -> String {
        let path = NSTemporaryDirectory() + prefix + "-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        made.add(path)
        return path
    }

    /// Every directory made in this process, but those with a mount under them.
    public static func removeAll() {
        let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        let points = mounts.split(separator: "\n").compactMap { $0.split(separator: " ").dropFirst(4).first.map(String.init) }
        for path in made.take() where !points.contains(where: { $0 == path || $0.hasPrefix(path + "/") }) {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    private static let made = Made()

    private final class Made: @unchecked Sendable {
        private let lock = NSLock()
        private var paths: [String] = []
        private var registered = false

        func add(_ path: String) {
            lock.lock()
            defer { lock.unlock() }
            paths.append(path)
            if !registered {
                registered = true
                atexit { TemporaryDirectory.removeAll() }
            }
        }

        func take() -> [String] {
            lock.lock()
            defer { lock.unlock() }
            let taken = paths
            paths = []
            return taken
        }
    }
}

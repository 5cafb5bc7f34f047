import Foundation

/// Network namespaces for a test: one per host, each with `eth0` at the host's address, all joined
/// by a bridge that lives in a hub namespace of its own, so nothing on the box itself changes.
/// `close()` kills what was started and deletes every namespace (and with them the links).
final class NetworkLab {
    let prefix: String
    let hub: String
    private(set) var namespaces: [String: String] = [:]
    private var processes: [Process] = []

    init(hosts: [(name: String, address: String)], prefix: String = "hwt\(getpid() % 100_000)x\(UInt16.random(in: 0...999))") throws {
        self.prefix = prefix
        hub = "\(prefix)-hub"
        do {
            try Self.ip(["netns", "add", hub])
            try Self.ip(["-n", hub, "link", "add", "br0", "type", "bridge"])
            try Self.ip(["-n", hub, "addr", "add", "10.240.0.250/24", "dev", "br0"])
            try Self.ip(["-n", hub, "link", "set", "br0", "up"])
            try Self.ip(["-n", hub, "link", "set", "lo", "up"])
            for (index, host) in hosts.enumerated() {
                let namespace = "\(prefix)-\(host.name)"
                try Self.ip(["netns", "add", namespace])
                namespaces[host.name] = namespace
                try Self.ip(["-n", hub, "link", "add", "v\(index)", "type", "veth", "peer", "name", "eth0", "netns", namespace])
                try Self.ip(["-n", hub, "link", "set", "v\(index)", "master", "br0", "up"])
                try Self.ip(["-n", namespace, "addr", "add", "\(host.address)/24", "dev", "eth0"])
                try Self.ip(["-n", namespace, "link", "set", "eth0", "up"])
                try Self.ip(["-n", namespace, "link", "set", "lo", "up"])
            }
        } catch {
            close()
            throw error
        }
    }

    static func ip(_ arguments: [String]) throws {
        let run = try Program.run("/usr/sbin/ip", arguments, in: "/")
        guard run.status == 0 else { throw Failure(message: "ip \(arguments.joined(separator: " ")): \(run)") }
    }

    /// Starts a program inside a host's namespace, its output in `log`.
    @discardableResult
    func start(in host: String, _ executable: String, _ arguments: [String], log: String, directory: String = "/") throws -> Process {
        let namespace = host == "hub" ? hub : namespaces[host]!
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = ["netns", "exec", namespace, executable] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        processes.append(process)
        return process
    }

    /// Runs a program to completion inside a namespace (`hub` for the bridge's own address).
    func run(in host: String, _ executable: String, _ arguments: [String], directory: String = "/") throws -> Run {
        let namespace = host == "hub" ? hub : namespaces[host]!
        return try Program.run("/usr/sbin/ip", ["netns", "exec", namespace, executable] + arguments, in: directory)
    }

    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }

    func close() {
        for process in processes { Self.stop(process) }
        for namespace in namespaces.values + [hub] { _ = try? Program.run("/usr/sbin/ip", ["netns", "del", namespace], in: "/") }
    }

    /// Polls `condition` until it holds or `timeout` passes.
    static func wait(_ timeout: TimeInterval, every interval: TimeInterval = 0.2, until condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if try condition() { return true }
            usleep(UInt32(interval * 1_000_000))
        } while Date() < deadline
        return false
    }

    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ClusterModel
import PKI

/// `hardway bench render`: `hardway render` on a cluster of many workers, first into an empty
/// directory and then again with nothing changed, each as its own process (time and peak memory).
struct BenchRender: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "time render of 3 controllers + N workers, first and again with nothing changed, and its peak memory",
        usage: UsageLine.wrapped("hardway bench render", "[--workers <n>] [--key-algorithm <algorithm>] [--runs <n>] [--keep <dir>] [--program <path>] [--output <format>]"),
        discussion: """
        Writes a cluster file of 1 load balancer, 3 controllers and N workers in a directory of its \
        own under $TMPDIR (or --keep) and issues its PKI (not timed). Each run then copies the PKI \
        into a new directory and runs `hardway render` there as a process of its own, twice: into \
        the empty directory, then again with nothing changed. Last, once, it deletes that render and \
        renders again straight away, which on ext4 without a journal pays for the inodes just freed \
        (see the README): so does a bench started within minutes of the last one's clean-up. Every \
        render starts after a `sync`; the figures are wall time and the render process's peak \
        resident memory.

        Use a release build (`swift build -c release`): a debug build is several times slower.

        Examples:
          hardway bench render
          hardway bench render --workers 100 --runs 5
          hardway bench render --keep /work/render-bench --output json
        """
    )

    @Option(help: ArgumentHelp("number of workers besides the 3 controllers", valueName: "n"))
    var workers: Int = 1000

    @Option(help: ArgumentHelp("rsa-2048, rsa-4096 or ecdsa-p256", valueName: "algorithm"))
    var keyAlgorithm: String = "rsa-2048"

    @Option(help: ArgumentHelp("repeat and report the median of each figure", valueName: "n"))
    var runs: Int = 1

    @Option(help: ArgumentHelp("work in this directory and keep its PKI for the next time", valueName: "dir"))
    var keep: String?

    @Option(help: ArgumentHelp("time this hardway binary instead of this one, to compare two builds", valueName: "path"))
    var program: String?

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("text or json", valueName: "format"))
    var output: OutputFormat = .text

    struct Figure: Encodable {
        var seconds: Double
        var peakBytes: Int
    }

    struct Report: Encodable {
        var controllers: Int
        var workers: Int
        var files: Int
        var keyAlgorithm: String
        var cpus: Int
        var runs: Int
        var first: Figure
        var again: Figure
        var firstAfterDelete: Figure
    }

    func run() async throws {
        guard (1...5000).contains(workers) else { throw CLIError("--workers must be between 1 and 5000") }
        guard (1...50).contains(runs) else { throw CLIError("--runs must be between 1 and 50") }
        guard let algorithm = KeyAlgorithm(rawValue: keyAlgorithm) else {
            throw CLIError("unknown key algorithm \"\(keyAlgorithm)\"", fix: "use one of: \(KeyAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let hardway = program ?? (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        guard FileManager.default.isExecutableFile(atPath: hardway) else {
            throw CLIError("\(hardway) is not an executable", fix: "pass the path of a hardway binary with --program")
        }
        let scratch = keep ?? NSTemporaryDirectory() + "hardway-bench-render-\(getpid())"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        // The renders go even from a kept directory: a thousand workers' files are 250 MB on disk.
        try? FileManager.default.removeItem(atPath: "\(scratch)/renders")
        defer { try? FileManager.default.removeItem(atPath: keep == nil ? scratch : "\(scratch)/renders") }
        let file = "\(scratch)/cluster.yaml"
        let issued = "\(scratch)/bench"
        let log = "\(scratch)/bench.log"
        let text = BenchPKI.clusterText(workers: workers, algorithm: algorithm)
        // A kept directory whose cluster file differs would be rendered against the wrong PKI.
        if (try? String(contentsOfFile: file, encoding: .utf8)) != text {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        }

        Terminal.err("issuing the PKI of 3 controllers + \(workers) workers (not timed)")
        let issue = try ChildRun.run(hardway, ["pki", "issue", "-f", file, "--dir", issued], log: log)
        guard issue.succeeded else { throw CLIError("bench: hardway pki issue failed", fix: "see \(log)") }
        // Renders its files there once, so the key ring exists and every run starts from the same one.
        let prime = try ChildRun.run(hardway, ["render", "-f", file, "--dir", issued], log: log)
        guard prime.succeeded else { throw CLIError("bench: hardway render failed", fix: "see \(log)") }

        func render(_ directory: String, _ what: String) throws -> ChildRun {
            sync()
            let run = try ChildRun.run(hardway, ["render", "-f", file, "--dir", directory], log: log)
            guard run.succeeded else { throw CLIError("bench: hardway render failed", fix: "see \(log)") }
            Terminal.err(String(format: "%@: %.2f s, %@", what, run.seconds, megabytes(UInt64(run.peakBytes))))
            return run
        }
        var first: [ChildRun] = []
        var again: [ChildRun] = []
        var directory = ""
        for run in 1...runs {
            // A new directory each run: deleting the last one first would make this run pay for
            // the inodes just freed (measured apart below).
            directory = "\(scratch)/renders/\(run)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for kept in ["pki", "secrets"] { try FileManager.default.copyItem(atPath: "\(issued)/\(kept)", toPath: "\(directory)/\(kept)") }
            first.append(try render(directory, "run \(run)/\(runs): hardway render into an empty directory"))
            again.append(try render(directory, "run \(run)/\(runs): hardway render again, nothing changed"))
        }
        let files = RenderWriter.roots.reduce(0) { count, root in
            count + ((FileManager.default.enumerator(atPath: "\(directory)/\(root)")?.allObjects.count) ?? 0)
        }
        for root in RenderWriter.roots { try FileManager.default.removeItem(atPath: "\(directory)/\(root)") }
        let afterDelete = try render(directory, "hardway render right after deleting that render")

        func figure(_ runs: [ChildRun]) -> Figure {
            Figure(seconds: BenchPKI.median(runs.map(\.seconds)), peakBytes: Int(BenchPKI.median(runs.map { Double($0.peakBytes) })))
        }
        let report = Report(controllers: 3, workers: workers, files: files, keyAlgorithm: algorithm.rawValue,
                            cpus: ProcessInfo.processInfo.activeProcessorCount, runs: runs,
        first: figure(first), again: figure(again), firstAfterDelete: figure([afterDelete]))
        if output == .json {
            try JSON.print(report)
            return
        }
        Terminal.out("render benchmark: 3 controllers + \(workers) workers, \(algorithm.rawValue), \(report.cpus) cpus"
                     + (runs > 1 ? ", median of \(runs) runs" : "") + "; \(files) files and directories")
        var table = TextTable(["RENDER", "SECONDS", "PEAK MEMORY"])
        for (name, figure) in [("first, into an empty directory", report.first), ("again, nothing changed", report.again),
                               ("first, right after deleting a render", report.firstAfterDelete)] {
            table.add([name, String(format: "%.2f", figure.seconds), megabytes(UInt64(figure.peakBytes))])
        }
        Terminal.out(table.render())
        Terminal.out(String(format: "(pki issue took %.1f s and is not part of these figures)", issue.seconds))
    }
}

/// One program run to completion with its wall time and peak resident memory (`wait4`'s rusage,
/// which counts that process alone, not the other children of the bench).
struct ChildRun {
    var status: Int32
    var seconds: Double
    var peakBytes: Int

    var succeeded: Bool { status == 0 }

    /// Runs `path` with its stdout and stderr appended to `log`.
    static func run(_ path: String, _ arguments: [String], log: String) throws -> ChildRun {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let started = Date()
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw CLIError("bench: cannot start \(path): \(String(cString: strerror(spawned)))", fix: "check that it is executable")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = Date().timeIntervalSince(started)
        // The exit code when it exited (low 7 bits zero), else 128 + the signal, as shells report it.
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ChildRun(status: code, seconds: seconds, peakBytes: usage.ru_maxrss * 1024)
    }
}

import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    @OptionGroup var output: OutputOptions

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
        let scale = try BenchScale(workers: workers, most: 5000, keyAlgorithm: keyAlgorithm, runs: runs)
        let hardway = program ?? BenchCluster.thisProgram
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
        let text = scale.clusterText
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
            Figure(seconds: BenchScale.median(runs.map(\.seconds)), peakBytes: Int(BenchScale.median(runs.map { Double($0.peakBytes) })))
        }
        let report = Report(controllers: 3, workers: workers, files: files, keyAlgorithm: scale.algorithm.rawValue,
                            cpus: ProcessInfo.processInfo.activeProcessorCount, runs: runs,
        first: figure(first), again: figure(again), firstAfterDelete: figure([afterDelete]))
        try output.print(report) {
            Terminal.out("render benchmark: 3 controllers + \(workers) workers, \(report.keyAlgorithm), \(report.cpus) cpus"
                         + scale.medianNote + "; \(files) files and directories")
            var table = TextTable(["RENDER", "SECONDS", "PEAK MEMORY"])
            for (name, figure) in [("first, into an empty directory", report.first), ("again, nothing changed", report.again),
                                   ("first, right after deleting a render", report.firstAfterDelete)] {
                table.add([name, String(format: "%.2f", figure.seconds), megabytes(UInt64(figure.peakBytes))])
            }
            Terminal.out(table.render())
            Terminal.out(String(format: "(pki issue took %.1f s and is not part of these figures)", issue.seconds))
        }
    }
}

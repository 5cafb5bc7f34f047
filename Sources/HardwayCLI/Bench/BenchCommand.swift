import ArgumentParser

/// `hardway bench`: measurements that print figures (never pass/fail on speed).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "measure hardway against the tutorials' way of doing the same work",
        subcommands: [BenchPKI.self, BenchRender.self, BenchLab.self, BenchApply.self, BenchUp.self, BenchRoll.self]
    )
}

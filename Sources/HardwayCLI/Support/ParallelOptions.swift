import ArgumentParser

/// `--parallel N`: how many hosts apply, plan, check and the drills work on at once. Ten by
/// default: a bastion's sshd (MaxStartups 10:30:100) starts dropping connections past ten.
struct ParallelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("hosts worked on at once (default 10)", valueName: "n"))
    var parallel: Int = 10

    func validate() throws {
        guard parallel >= 1 else { throw ValidationError("--parallel takes a whole number of hosts, 1 or more") }
    }
}

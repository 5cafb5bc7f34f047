import ArgumentParser

/// `--dir DIR`: the cluster's working directory, `./<name>` by default.
struct ClusterDirectoryOptions: ParsableArguments {
    @Option(help: ArgumentHelp("the cluster's directory (default: ./<name>)", valueName: "dir"))
    var dir: String?
}

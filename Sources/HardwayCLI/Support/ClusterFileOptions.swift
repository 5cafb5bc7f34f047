import ArgumentParser
import Foundation
import ClusterModel
import Infra
import Phases
import Render

/// `-f FILE`: the cluster file, read and resolved, diagnostics printed with the file's name.
struct ClusterFileOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .customLong("file")], help: ArgumentHelp("the cluster file", valueName: "file"))
    var file: String = "cluster.yaml"

    /// Reads and resolves the file. Errors print every diagnostic and fail; warnings print to stderr
    /// unless `quiet`. What `hardway infra apply` learnt (in `<dir>/infra-state.json`) fills in
    /// `api.endpoint: auto` and the hosts' ssh addresses.
    func load(printWarnings: Bool = true, dir: String? = nil) throws -> Cluster {
        let resolution = try resolve(dir: dir)
        for diagnostic in resolution.diagnostics where diagnostic.isError || printWarnings {
            Terminal.err(diagnostic.formatted(file: file))
        }
        guard let cluster = resolution.cluster else {
            let count = resolution.diagnostics.errors.count
            throw CLIError("\(file) has \(count) error\(count == 1 ? "" : "s")", fix: "fix them and run again (`hardway validate -f \(file)` lists them)")
        }
        return cluster
    }

    func resolve(dir: String? = nil) throws -> Resolution {
        let parsed = try parse()
        return ClusterResolver.resolve(parsed: parsed, provisioned: provisioned(spec: parsed.spec, dir: dir))
    }

    /// The file as written, before defaults and before what infra apply learnt.
    func parse() throws -> ParsedClusterFile {
        guard let data = FileManager.default.contents(atPath: file) else {
            let exists = FileManager.default.fileExists(atPath: file)
            throw CLIError(exists ? "cannot read \(file)" : "\(file) does not exist",
                           fix: exists ? "check its permissions" : "pass the cluster file with -f, or write one with `hardway init`")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIError("\(file) is not UTF-8 text", fix: "save it as UTF-8")
        }
        return ClusterFileParser.parse(text)
    }

    /// What earlier runs left in the cluster's directory (`--dir`, else `./<name>`): the facts of
    /// `infra-state.json` when the file has an infra section and the state is this cluster's, and
    /// the pod CIDR `applied.json` records for each worker. A record that cannot be read adds
    /// nothing here; apply itself stops on it, naming it.
    func provisioned(spec: ClusterSpec, dir: String?) -> Provisioned? {
        guard let name = spec.name, !name.isEmpty else { return nil }
        let directory = dir ?? name
        var provisioned = Provisioned()
        if spec.infra != nil, let state = try? InfraState.load(directory: directory), state.cluster == name {
            provisioned.loadBalancerDNSName = state.loadBalancerDNSName
            provisioned.publicAddresses = state.publicAddresses
        }
        if let record = try? ApplyRecord.load("\(directory)/applied.json") {
            provisioned.podCIDRs = (record.hosts ?? [:]).compactMapValues(\.podCIDR)
            // Only hosts the file still has: one that left runs nothing an upgrade must respect.
            let names = Set(spec.hosts?.compactMap(\.name) ?? [])
            provisioned.versions = (record.versions ?? [:]).filter { names.contains($0.key) }
        }
        return provisioned
    }
}

extension ClusterFileOptions {
    /// The cluster, loaded with what infra apply learnt in its directory, and that directory
    /// (`--dir`, else `./<name>`): how every command given `-f` and `--dir` opens a cluster.
    func open(in directory: ClusterDirectoryOptions, printWarnings: Bool = true) throws -> (cluster: Cluster, directory: ClusterDirectory) {
        let cluster = try load(printWarnings: printWarnings, dir: directory.dir)
        return (cluster, ClusterDirectory(cluster: cluster, dir: directory.dir, clusterFile: file))
    }

    /// Runs a render step, turning its error into the CLI's, with this cluster file in the fix.
    func rendering<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as RenderError {
            throw CLIError(error.message, fix: error.fix?.replacingOccurrences(of: "<cluster file>", with: file))
        }
    }
}

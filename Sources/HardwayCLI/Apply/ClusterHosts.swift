import ArgumentParser
import Foundation
import ClusterModel
import Lab
import Phases
import Binaries
import Remote
import Render

extension Phase: ExpressibleByArgument {
    public init?(argument: String) {
        guard let phase = Phase(rawValue: argument), Phase.stops.contains(phase) else { return nil }
        self = phase
    }

    public static var allValueStrings: [String] { Phase.stops.map(\.rawValue) }
}

extension ClusterDirectory {
    var absolutePath: String { LabPaths(directory: path).directory }

    /// ssh.* from the cluster file, the cluster's known_hosts, logs under `<dir>/logs`. Without
    /// ssh.identityFile the lab's key is used when there is one, else ssh's own defaults and agent.
    func sshSettings(for cluster: Cluster) -> SSHSettings {
        let base = absolutePath
        let labKey = "\(base)/ssh/id_ed25519"
        let identity = cluster.ssh.identityFile.map(resolveRelativeToClusterFile)
            ?? (FileManager.default.fileExists(atPath: labKey) ? labKey : nil)
        return SSHSettings(user: cluster.ssh.user, port: cluster.ssh.port, identityFile: identity, knownHosts: "\(base)/ssh/known_hosts",
                           bastion: cluster.ssh.bastion, logDirectory: "\(base)/logs")
    }

    func hosts(for cluster: Cluster) -> [String: any RemoteHost] {
        let settings = sshSettings(for: cluster)
        var hosts: [String: any RemoteHost] = [:]
        for machine in cluster.hosts {
            hosts[machine.name] = OpenSSHHost(name: machine.name, address: machine.sshAddress, settings: settings)
        }
        return hosts
    }

    var applyRecordPath: String { "\(absolutePath)/applied.json" }

    /// `applied.json`; one that cannot be read stops the command, naming it and the copy to restore.
    func applyRecord() throws -> ApplyRecord {
        try applying(self) { try ApplyRecord.load(applyRecordPath) }
    }

    /// binaries.dir (nothing downloaded), else <dir>/binaries, else the releases, cached per version
    /// in /var/cache/hardway/releases (~/.cache/hardway/releases when not root).
    func binaryResolver(for cluster: Cluster) -> BinaryResolver {
        let cache = (geteuid() == 0 ? "/var/cache/hardway" : NSHomeDirectory() + "/.cache/hardway") + "/releases"
        // A mirror holds upstream's paths under one base URL, upstream's host included.
        let mirror = cluster.binaries.mirror
        return BinaryResolver(directory: binariesDirectory(for: cluster), downloads: cluster.binaries.dir == nil, cache: cache,
                              kubernetesVersion: cluster.kubernetesVersion, etcdVersion: cluster.etcdVersion,
                              kubernetesBaseURL: mirror.map { "\($0)/dl.k8s.io/release" },
                              etcdBaseURL: mirror.map { "\($0)/github.com/etcd-io/etcd/releases/download" })
    }

    /// The cluster rendered from its PKI and key ring (both must exist and fit), and written to
    /// `<dir>/nodes/…` too, so what goes to the hosts is what a person can read there.
    func renderForApply(_ cluster: Cluster, options: ClusterFileOptions, write: Bool) throws -> RenderOutput {
        let pki = try loadPKI(for: cluster)
        let ring: EncryptionKeyRing
        if write {
            ring = try loadOrCreateKeys(provider: cluster.encryption.provider).ring
        } else if let existing = try encryptionKeys.load() {
            ring = existing
        } else {
            throw CLIError("there is no encryption key yet in \(encryptionKeys.path)", fix: "run `hardway render -f \(options.file)` first")
        }
        let rendered = try options.rendering { try ClusterRenderer.render(RenderInput(cluster: cluster, pki: pki, encryption: ring)) }
        if write {
            try RenderWriter(directory: path).write(rendered)
        }
        return rendered
    }
}

/// Runs apply work, turning its errors into the CLI's: the host, the step, the last log lines, the fix.
func applying<T>(_ directory: ClusterDirectory, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as PhaseError {
        throw CLIError("\(error.phase.rawValue)\(error.host.map { " on \($0)" } ?? ""): \(error.message)",
                       fix: error.fix.replacingOccurrences(of: "<cluster file>", with: directory.clusterFile))
    } catch let error as HostFailures {
        // Every host that failed, each as it would read alone.
        let lines = error.failures.map { failure -> String in
            do { return try applying(directory) { throw failure.error } } catch let error as CLIError {
                return error.message + (error.fix.map { " (\($0))" } ?? "")
            } catch { return "\(failure.host): \(failure.error)" }
        }
        throw CLIError("\(error.failures.count) hosts failed:\n  " + lines.joined(separator: "\n  "), fix: "see each host's log under \(directory.absolutePath)/logs, then run again")
    } catch let error as DrillError {
        throw CLIError("drill: \(error.message)", fix: error.fix)
    } catch let error as RemoteError {
        let log = "\(directory.absolutePath)/logs/\(error.host).log"
        throw CLIError("\(error.host): \(error.step) \(error.reason)",
                       fix: (error.fix.map { $0 + "; " } ?? "") + "the host's log is \(log)")
    }
}

/// What apply and plan share: the cluster file, its directory, how far to go, the output format,
/// and the Applier they describe.
struct ApplyOptions: ParsableArguments {
    @OptionGroup var cluster: ClusterFileOptions
    @OptionGroup var directoryOptions: ClusterDirectoryOptions

    @Option(help: ArgumentHelp("stop after this phase: network, etcd, loadbalancer, control-plane, workers or addons", valueName: "phase"))
    var until: Phase?

    @OptionGroup var output: OutputOptions
    @OptionGroup var parallel: ParallelOptions

    @Option(help: ArgumentHelp("how long each gate waits for health before the phase fails (default 90; the workers' and addons' gates at least 180)", valueName: "seconds"))
    var gateTimeout: Int = 90

    @Option(help: ArgumentHelp("in an upgrade, how many workers are cordoned, drained and upgraded at once (default 1)", valueName: "n"))
    var maxUnavailable: Int = 1

    @Option(help: ArgumentHelp("in an upgrade, how long `kubectl drain` may take per worker before apply stops (default 120)", valueName: "seconds"))
    var drainTimeout: Int = 120

    func validate() throws {
        guard gateTimeout >= 1 else { throw ValidationError("--gate-timeout takes a whole number of seconds, 1 or more") }
        guard maxUnavailable >= 1 else { throw ValidationError("--max-unavailable takes a whole number of workers, 1 or more") }
        guard drainTimeout >= 1 else { throw ValidationError("--drain-timeout takes a whole number of seconds, 1 or more") }
    }

    /// The resolved cluster, its directory and an Applier for it; `write` also writes <dir>/nodes
    /// (and makes the encryption key when there is none).
    func applier(write: Bool) throws -> (Cluster, ClusterDirectory, Applier) {
        let (resolved, directory) = try cluster.open(in: directoryOptions)
        let rendered = try directory.renderForApply(resolved, options: cluster, write: write)
        // Hosts an earlier apply set up that the file no longer has: reached by their old addresses.
        let settings = directory.sshSettings(for: resolved)
        var departed: [String: any RemoteHost] = [:]
        for (name, host) in try directory.applyRecord().hosts ?? [:] where resolved.host(named: name) == nil {
            departed[name] = OpenSSHHost(name: name, address: host.sshAddress, settings: settings)
        }
        let applier = Applier(cluster: resolved, rendered: rendered, hosts: directory.hosts(for: resolved),
                              binaries: directory.binaryResolver(for: resolved), recordPath: directory.applyRecordPath,
                              departedHosts: departed, gateTimeout: TimeInterval(gateTimeout), parallelism: parallel.parallel,
                              maxUnavailable: maxUnavailable, drainTimeout: drainTimeout, progress: { Terminal.err($0) })
        return (resolved, directory, applier)
    }
}

import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ClusterModel
import PKI

/// `hardway bench pki`: the whole PKI for 3 controllers + N workers, by hardway (in parallel) and
/// by a cfssl loop (one `cfssl gencert | cfssljson` per certificate, as the tutorials run it).
struct BenchPKI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki",
        abstract: "time issuing a whole PKI with hardway and with a cfssl loop",
        usage: UsageLine.wrapped("hardway bench pki", "[--workers <n>] [--key-algorithm <algorithm>] [--no-cfssl] [--runs <n>] [--keep <dir>] [--output <format>]"),
        discussion: """
        Needs cfssl and cfssljson on PATH (Debian: apt-get install golang-cfssl) unless --no-cfssl. \
        Build with `swift build -c release` first: debug builds are several times slower.

        Examples:
          hardway bench pki --workers 100
          hardway bench pki --workers 100 --key-algorithm ecdsa-p256 --runs 5
          hardway bench pki --workers 10 --output json
        """
    )

    @Option(help: ArgumentHelp("number of workers besides the 3 controllers", valueName: "n"))
    var workers: Int = 100

    @Option(help: ArgumentHelp("rsa-2048, rsa-4096 or ecdsa-p256", valueName: "algorithm"))
    var keyAlgorithm: String = "rsa-2048"

    @Flag(help: "time hardway only")
    var noCfssl = false

    @Option(help: ArgumentHelp("repeat and report the median of each tool (this machine's timings vary)", valueName: "n"))
    var runs: Int = 1

    @Option(help: ArgumentHelp("keep the issued files here instead of a temporary directory", valueName: "dir"))
    var keep: String?

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("text or json", valueName: "format"))
    var output: OutputFormat = .text

    struct Report: Encodable {
        var controllers: Int
        var workers: Int
        var certificates: Int
        var keyAlgorithm: String
        var cpus: Int
        var runs: Int
        var hardwaySeconds: Double
        var cfsslSeconds: Double?
        var ratio: Double?
    }

    func run() async throws {
        guard (1...2000).contains(workers) else { throw CLIError("--workers must be between 1 and 2000") }
        guard (1...50).contains(runs) else { throw CLIError("--runs must be between 1 and 50") }
        guard let algorithm = KeyAlgorithm(rawValue: keyAlgorithm) else {
            throw CLIError("unknown key algorithm \"\(keyAlgorithm)\"", fix: "use one of: \(KeyAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if !noCfssl {
            for tool in ["cfssl", "cfssljson"] where Self.which(tool) == nil {
                throw CLIError("\(tool) is not on PATH", fix: "install it (Debian: apt-get install golang-cfssl), or pass --no-cfssl")
            }
        }
        let cluster = try Self.benchCluster(workers: workers, algorithm: algorithm)
        let profiles = ClusterCertificates.profiles(for: cluster)
        let root = keep ?? NSTemporaryDirectory() + "hardway-bench-\(getpid())"
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: root) } }

        var hardwayTimes: [Double] = []
        var cfsslTimes: [Double] = []
        for run in 1...runs {
            let directory = "\(root)/run-\(run)"
            Terminal.progress("run \(run)/\(runs): hardway issuing \(profiles.count) certificates…")
            // hardway makes its files durable with one syncfs, which would also flush whatever the
            // previous run left unwritten; each side starts clean and pays for its own files only.
            sync()
            let start = Date()
            let result = try await PKIIssuer.run(profiles: profiles, store: PKIStore(directory: "\(directory)/hardway"), options: PKIIssueOptions(), now: start)
            hardwayTimes.append(Date().timeIntervalSince(start))
            guard result.failed.isEmpty else { throw CLIError("hardway failed to issue: \(result.failed.map(\.name).joined(separator: ", "))") }
            if !noCfssl {
                cfsslTimes.append(try runCfssl(profiles: profiles, directory: "\(directory)/cfssl", label: "run \(run)/\(runs): "))
            }
        }
        let hardwaySeconds = Self.median(hardwayTimes)
        let cfsslSeconds = cfsslTimes.isEmpty ? nil : Self.median(cfsslTimes)
        Terminal.progress("", done: false)
        let report = Report(controllers: 3, workers: workers, certificates: profiles.count, keyAlgorithm: algorithm.rawValue,
                            cpus: ProcessInfo.processInfo.activeProcessorCount, runs: runs, hardwaySeconds: hardwaySeconds,
                            cfsslSeconds: cfsslSeconds, ratio: cfsslSeconds.map { $0 / hardwaySeconds })
        if output == .json {
            try JSON.print(report)
            return
        }
        Terminal.out("pki benchmark: 3 controllers + \(workers) workers = \(profiles.count) certificates, \(algorithm.rawValue), \(report.cpus) cpus"
                     + (runs > 1 ? ", median of \(runs) runs" : ""))
        var table = TextTable(["TOOL", "SECONDS", "CERTIFICATES/S"])
        table.add(["hardway (parallel)", String(format: "%.3f", hardwaySeconds), String(format: "%.1f", Double(profiles.count) / hardwaySeconds)])
        if let cfsslSeconds {
            table.add(["cfssl loop", String(format: "%.3f", cfsslSeconds), String(format: "%.1f", Double(profiles.count) / cfsslSeconds)])
        }
        Terminal.out(table.render())
        if let ratio = report.ratio { Terminal.out(String(format: "hardway is %.1f× as fast as the cfssl loop", ratio)) }
    }

    /// The tutorials' loop: a CA with -initca, then one `cfssl gencert | cfssljson -bare` per certificate.
    func runCfssl(profiles: [CertificateProfile], directory: String, label: String) throws -> Double {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let validity = profiles.first { !$0.isCA }?.validity.description ?? "8760h"
        let config = """
        {"signing": {"default": {"expiry": "\(validity)"}, "profiles": {
          "server": {"usages": ["signing", "key encipherment", "server auth"], "expiry": "\(validity)"},
          "client": {"usages": ["signing", "key encipherment", "client auth"], "expiry": "\(validity)"},
          "peer": {"usages": ["signing", "key encipherment", "server auth", "client auth"], "expiry": "\(validity)"},
          "signing": {"usages": ["signing"], "expiry": "\(validity)"}}}}
        """
        try config.write(toFile: "\(directory)/ca-config.json", atomically: true, encoding: .utf8)
        var commands: [String] = []
        for profile in profiles {
            try Self.csrJSON(profile).write(toFile: "\(directory)/\(profile.name)-csr.json", atomically: true, encoding: .utf8)
            if profile.isCA {
                commands.append("cfssl gencert -initca \(profile.name)-csr.json | cfssljson -bare \(profile.name)")
            } else {
                let issuer = profile.issuer ?? ClusterCertificates.caName
                commands.append("cfssl gencert -ca=\(issuer).pem -ca-key=\(issuer)-key.pem -config=ca-config.json -profile=\(profile.role.rawValue) \(profile.name)-csr.json | cfssljson -bare \(profile.name)")
            }
        }
        sync()
        let start = Date()
        for (index, command) in commands.enumerated() {
            Terminal.progress("\(label)cfssl loop \(index + 1)/\(commands.count)")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw CLIError("the cfssl loop failed at: \(command)", fix: "run it by hand in \(directory) to see cfssl's message")
            }
        }
        return Date().timeIntervalSince(start)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func csrJSON(_ profile: CertificateProfile) throws -> String {
        var names: [String: String] = [:]
        names["C"] = profile.subject.country.first
        names["ST"] = profile.subject.state.first
        names["L"] = profile.subject.locality.first
        names["O"] = profile.subject.organization.first
        names["OU"] = profile.subject.organizationalUnit.first
        let key: [String: Any]
        switch profile.keyAlgorithm {
        case .rsa(let bits): key = ["algo": "rsa", "size": bits]
        case .ecdsa(let curve): key = ["algo": "ecdsa", "size": curve]
        }
        var object: [String: Any] = ["CN": profile.subject.commonName ?? "", "key": key, "names": [names]]
        if !profile.sans.isEmpty { object["hosts"] = profile.sans.map(\.value) }
        if profile.isCA { object["ca"] = ["expiry": profile.validity.description] }
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static func benchCluster(workers: Int, algorithm: KeyAlgorithm) throws -> Cluster {
        let resolution = ClusterResolver.resolve(text: clusterText(workers: workers, algorithm: algorithm))
        guard let cluster = resolution.cluster else {
            throw CLIError("internal: the benchmark cluster does not validate: \(resolution.diagnostics.errors.map(\.description).joined(separator: "; "))")
        }
        return cluster
    }

    /// 1 load balancer, 3 controllers and `workers` workers in 10.240.0.0/16 (`bench render` uses it too).
    static func clusterText(workers: Int, algorithm: KeyAlgorithm) -> String {
        var hosts = ["  - { name: lb-0, address: 10.240.0.5, roles: [loadbalancer] }"]
        for index in 0..<3 { hosts.append("  - { name: master-\(index), address: 10.240.0.\(10 + index), roles: [controller] }") }
        for index in 0..<workers {
            hosts.append("  - { name: worker-\(index), address: 10.240.\(1 + index / 250).\(index % 250 + 1), roles: [worker] }")
        }
        return """
        apiVersion: hardway/v1
        kind: Cluster
        name: bench
        network: { nodeCIDR: 10.240.0.0/16, podCIDR: 10.64.0.0/10, serviceCIDR: 10.32.0.0/24 }
        api: { endpoint: 10.240.0.5 }
        loadBalancer: { kind: haproxy, host: lb-0 }
        pki: { keyAlgorithm: \(algorithm.rawValue), subject: { country: UK, organizationalUnit: bench } }
        hosts:
        \(hosts.joined(separator: "\n"))

        """
    }

    static func which(_ tool: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ClusterModel
import PKI
import Shell

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

    @OptionGroup var output: OutputOptions

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
        let scale = try BenchScale(workers: workers, most: 2000, keyAlgorithm: keyAlgorithm, runs: runs)
        if !noCfssl {
            for tool in ["cfssl", "cfssljson"] where Self.which(tool) == nil {
                throw CLIError("\(tool) is not on PATH", fix: "install it (Debian: apt-get install golang-cfssl), or pass --no-cfssl")
            }
        }
        let profiles = ClusterCertificates.profiles(for: try scale.cluster())
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
        let hardwaySeconds = BenchScale.median(hardwayTimes)
        let cfsslSeconds = cfsslTimes.isEmpty ? nil : BenchScale.median(cfsslTimes)
        Terminal.progress("", done: false)
        let report = Report(controllers: 3, workers: workers, certificates: profiles.count, keyAlgorithm: scale.algorithm.rawValue,
                            cpus: ProcessInfo.processInfo.activeProcessorCount, runs: runs, hardwaySeconds: hardwaySeconds,
                            cfsslSeconds: cfsslSeconds, ratio: cfsslSeconds.map { $0 / hardwaySeconds })
        try output.print(report) {
            Terminal.out("pki benchmark: 3 controllers + \(workers) workers = \(profiles.count) certificates, \(report.keyAlgorithm), \(report.cpus) cpus"
                         + scale.medianNote)
            var table = TextTable(["TOOL", "SECONDS", "CERTIFICATES/S"])
            table.add(["hardway (parallel)", String(format: "%.3f", hardwaySeconds), String(format: "%.1f", Double(profiles.count) / hardwaySeconds)])
            if let cfsslSeconds {
                table.add(["cfssl loop", String(format: "%.3f", cfsslSeconds), String(format: "%.1f", Double(profiles.count) / cfsslSeconds)])
            }
            Terminal.out(table.render())
            if let ratio = report.ratio { Terminal.out(String(format: "hardway is %.1f× as fast as the cfssl loop", ratio)) }
        }
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
            try Launch.locked { try process.run() }
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw CLIError("the cfssl loop failed at: \(command)", fix: "run it by hand in \(directory) to see cfssl's message")
            }
        }
        return Date().timeIntervalSince(start)
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

    static func which(_ tool: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

import Testing
import Foundation
import TestSupport

/// `hardway init` and `hardway validate` as a user runs them: text, exit codes, files.
@Suite struct ClusterCommandsTests {
    @Test func initWritesTheLabExampleAndNeverOverwrites() throws {
        let directory = try Scratch.directory()
        let first = try Program.hardway(["init"], in: directory)
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.contains("wrote cluster.yaml"))
        let written = try String(contentsOfFile: "\(directory)/cluster.yaml", encoding: .utf8)
        #expect(written == (try String(contentsOfFile: Scratch.example("lab"), encoding: .utf8)))

        try Scratch.write("# mine\n", to: "\(directory)/cluster.yaml")
        let second = try Program.hardway(["init", "--example", "aws"], in: directory)
        #expect(second.status == 1)
        #expect(second.stderr == "error: cluster.yaml already exists; choose another name with -f, or pass --force to replace it\n")
        #expect(try String(contentsOfFile: "\(directory)/cluster.yaml", encoding: .utf8) == "# mine\n", "nothing lost")

        #expect(try Program.hardway(["init", "--example", "aws", "--force"], in: directory).status == 0)
        #expect(try String(contentsOfFile: "\(directory)/cluster.yaml", encoding: .utf8).contains("endpoint: auto"))
    }

    @Test func initListsExamplesAndRejectsUnknownOnes() throws {
        let directory = try Scratch.directory()
        let list = try Program.hardway(["init", "--list"], in: directory)
        for name in ["lab", "aws", "two-controllers", "dedicated-etcd", "single-controller"] {
            #expect(list.stdout.contains(name))
        }
        let unknown = try Program.hardway(["init", "--example", "lap"], in: directory)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.hasPrefix("error: there is no example named \"lap\"; use one of: lab, aws"))
        let stdout = try Program.hardway(["init", "--example", "two-controllers", "-f", "-"], in: directory)
        #expect(stdout.stdout.hasPrefix("# hardway cluster file: 2 controllers"))
    }

    @Test func validateReportsEveryProblemWithItsLineAndField() throws {
        let directory = try Scratch.directory()
        var text = try String(contentsOfFile: Scratch.example("lab"), encoding: .utf8)
        text = text.replacingOccurrences(of: "address: 10.240.0.21", with: "address: 10.240.0.321")
        text = text.replacingOccurrences(of: "podCIDR: 10.200.0.0/16", with: "podCIDR: 10.32.0.0/16")
        text = text.replacingOccurrences(of: "  host: lb-0", with: "  host: lb-1")
        try Scratch.write(text, to: "\(directory)/cluster.yaml")
        let run = try Program.hardway(["validate"], in: directory)
        #expect(run.status == 1)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("error: cluster.yaml:51: hosts[5].address: \"10.240.0.321\" is not an IPv4 address;") }, "\(run)")
        #expect(lines.contains { $0.hasPrefix("error: cluster.yaml:15: network.serviceCIDR: 10.32.0.0/24 overlaps network.podCIDR 10.32.0.0/16;") }, "\(run)")
        #expect(lines.contains { $0.hasPrefix("error: cluster.yaml:24: loadBalancer.host: there is no host named \"lb-1\"; set it to lb-0") }, "\(run)")
        #expect(lines.last == "cluster.yaml: 3 errors")
    }

    @Test func validateShowsTheDerivedValuesAndWarnings() throws {
        let directory = try Scratch.directory()
        let run = try Program.hardway(["validate", "-f", Scratch.example("two-controllers")], in: directory)
        #expect(run.status == 0, "warnings do not fail: \(run)")
        #expect(run.stdout.contains("warning: ") && run.stdout.contains("2 etcd members tolerate no failure"))
        #expect(run.stdout.contains("two-controllers.yaml: valid (1 warning)"))
        #expect(run.stdout.contains("https://192.168.122.15:6443 through haproxy on lb-0"))
        #expect(run.stdout.contains("worker-1 192.168.122.14  pods 10.200.1.0/24"))
        // The versions it chose: the release's pairing, as the example names them.
        #expect(run.stdout.contains("two-controllers: kubernetes v1.37.0, etcd v3.7.0"), "\(run)")
        #expect(run.stdout.contains("containerd v2.3.0, runc v1.4.2, cni plugins v1.9.1; kube-proxy in iptables mode"), "\(run)")
    }

    @Test func validateJSONIsForScripts() throws {
        let directory = try Scratch.directory()
        let run = try Program.hardway(["validate", "-f", Scratch.example("lab"), "--output", "json"], in: directory)
        #expect(run.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(json["valid"] as? Bool == true)
        let cluster = try #require(json["cluster"] as? [String: Any])
        #expect(cluster["apiServiceIP"] as? String == "10.32.0.1")
        #expect(cluster["containerdVersion"] as? String == "v1.6.20" && cluster["runcVersion"] as? String == "v1.1.5" && cluster["cniPluginsVersion"] as? String == "v1.1.1")
        #expect(cluster["etcdInitialCluster"] as? String == "master-0=https://10.240.0.10:2380,master-1=https://10.240.0.11:2380,master-2=https://10.240.0.12:2380")
        let hosts = try #require(cluster["hosts"] as? [[String: Any]])
        #expect(hosts.first { $0["name"] as? String == "worker-1" }?["podCIDR"] as? String == "10.200.1.0/24")

        try Scratch.write("apiVersion: hardway/v1\nkind: Cluster\nname: x\nhosts: []\nextra: 1\n", to: "\(directory)/bad.yaml")
        let bad = try Program.hardway(["validate", "-f", "bad.yaml", "-o", "json"], in: directory)
        #expect(bad.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(bad.stdout.utf8)) as? [String: Any])
        let diagnostics = try #require(report["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.contains { $0["code"] as? String == "unknown-key" && $0["path"] as? String == "extra" && $0["line"] as? Int == 5 })
    }

    @Test func missingFileAndUsageErrorsAreLowercaseWithTheNextStep() throws {
        let directory = try Scratch.directory()
        let missing = try Program.hardway(["validate"], in: directory)
        #expect(missing.status == 1)
        #expect(missing.stderr == "error: cluster.yaml does not exist; pass the cluster file with -f, or write one with `hardway init`\n")
        let usage = try Program.hardway(["pki", "issue", "--bogus"], in: directory)
        #expect(usage.status == 64)
        #expect(usage.stderr.hasPrefix("error: Unknown option '--bogus'"))
    }

    @Test func helpCarriesExamples() throws {
        let directory = try Scratch.directory()
        for command in [["--help"], ["init", "--help"], ["validate", "--help"], ["pki", "issue", "--help"], ["pki", "inspect", "--help"],
                        ["pki", "check", "--help"], ["pki", "sign", "--help"], ["bench", "pki", "--help"]] {
            let run = try Program.hardway(command, in: directory)
            #expect(run.status == 0, "\(command)")
            #expect(run.stdout.contains("hardway "), "\(command) shows an example")
        }
    }
}

/// The whole bad-input corpus through the binary: every error exits 1, every warning 0, and the
/// output names the field.
@Suite struct BadInputThroughTheBinaryTests {
    @Test func everyCaseExitsAsItShouldAndNamesItsField() throws {
        let directory = try Scratch.directory()
        for (index, input) in BadInput.corpus.enumerated() {
            let file = "case-\(index).yaml"
            try Scratch.write(input.text, to: "\(directory)/\(file)")
            let run = try Program.hardway(["validate", "-f", file], in: directory)
            #expect(run.status == (input.severity == .error ? 1 : 0), "\(input.name): \(run)")
            #expect(run.stderr.isEmpty, "\(input.name): no crash, nothing but the report: \(run.stderr)")
            let lines = run.stdout.split(separator: "\n").map(String.init)
            let named = lines.contains { line in
                line.hasPrefix("\(input.severity.rawValue): \(file):") && (input.path.isEmpty || line.contains(" \(input.path): "))
            }
            #expect(named, "\(input.name): expected a \(input.severity.rawValue) line naming \(input.path): \(run.stdout)")
        }
    }
}

import ArgumentParser
import Foundation
import ClusterModel
import PKI

/// `hardway pki check`: a doctor for any directory of PEM files.
struct PKICheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "find what is wrong with a directory of certificates, hardway's or hand-made",
        usage: UsageLine.wrapped("hardway pki check", "[<dir>] [--file <file>] [--service-ip <ip>] [--endpoint <address>] [--output <format>]"),
        discussion: """
        Checks that every certificate chains to a CA in the directory, that keys match their \
        certificates, expiry (errors when expired, warnings within 30 days), the kubelet CN/O rules of \
        the Node authorizer, the API server's SANs, empty SAN entries (an unset shell variable leaves \
        `DNS:`), CAs without CA:TRUE, and a CA that signs etcd's certificates and others too (etcd \
        trusts it for clients, so those can read all of etcd). Each problem is one line: file, \
        problem, fix. Errors exit 1.

        With -f, the service IP and API endpoint of the cluster file are checked too.

        Examples:
          hardway pki check lab/pki -f cluster.yaml
          hardway pki check ~/certs --service-ip 10.32.0.1 --endpoint 10.0.0.5
          hardway pki check ~/certs --output json
        """
    )

    @Argument(help: ArgumentHelp("the directory (default: <dir of -f>/pki, else the current directory)", valueName: "dir"))
    var directory: String?

    @Option(name: [.customShort("f"), .customLong("file")], help: ArgumentHelp("a cluster file, to check the service IP and endpoint", valueName: "file"))
    var file: String?

    @Option(help: ArgumentHelp("the kubernetes service IP the API server certificate must carry", valueName: "ip"))
    var serviceIP: String?

    @Option(help: ArgumentHelp("the API endpoint (load balancer address or name) it must carry", valueName: "address"))
    var endpoint: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        var context = PKIDoctorContext(serviceIP: serviceIP, endpoint: endpoint, now: Date())
        var path = directory ?? "."
        if let file {
            var options = ClusterFileOptions()
            options.file = file
            let cluster = try options.load(printWarnings: false)
            context.serviceIP = context.serviceIP ?? cluster.network.apiServiceIP.description
            context.endpoint = context.endpoint ?? cluster.api.endpoint.host
            context.clusterDomain = cluster.network.clusterDomain
            context.managedByHardway = true
            if directory == nil { path = "\(cluster.name)/pki" }
        }
        let pems = try PEMDirectory.read(path)
        let findings = PKIDoctor.check(pems, context: context)
        let certificates = pems.certificates.reduce(0) { $0 + $1.certificates.count }
        let errors = findings.filter { $0.severity == .error }.count
        let warnings = findings.filter { $0.severity == .warning }.count
        try output.print(CheckReport(directory: path, certificates: certificates, ok: errors == 0, findings: findings)) {
            for finding in findings { Terminal.out(finding.line) }
            Terminal.out("checked \(certificates) certificate\(certificates == 1 ? "" : "s") in \(path): \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")")
        }
        if errors > 0 { throw ExitCode(1) }
    }
}

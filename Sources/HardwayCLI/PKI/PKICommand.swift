import ArgumentParser

/// `hardway pki`: the cluster's certificates.
struct PKICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki",
        abstract: "issue, inspect and check the cluster's certificates",
        discussion: """
        Examples:
          hardway pki issue -f cluster.yaml           every certificate into ./<name>/pki
          hardway pki inspect lab/pki                 subject, SANs, usages and expiry of each
          hardway pki check ~/certs                   find the faults in a hand-made cfssl PKI
          hardway pki sign --initca ca-csr.json       cfssl gencert -initca | cfssljson -bare ca
        """,
        subcommands: [PKIIssue.self, PKIInspect.self, PKICheck.self, PKISign.self]
    )
}

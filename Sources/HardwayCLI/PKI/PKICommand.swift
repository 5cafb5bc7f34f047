import ArgumentParser

/// `hardway pki`: the cluster's certificates.
struct PKICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki",
        abstract: "issue, inspect and check the cluster's certificates",
        discussion: """
        Examples:
          hardway pki issue -f cluster.yaml      every certificate, in ./<name>/pki
          hardway pki inspect lab/pki            subject, SANs, usages, expiry of each
          hardway pki check ~/certs              the faults of a hand-made cfssl PKI
          hardway pki sign --initca ca-csr.json  what cfssl gencert -initca makes
          hardway pki rotate-ca -f cluster.yaml  new CAs in three applied steps
        """,
        subcommands: [PKIIssue.self, PKIInspect.self, PKICheck.self, PKISign.self, PKIRotateCA.self]
    )
}

import Infra

/// What `--output json` prints for plan, apply and destroy.
struct InfraReport: Encodable {
    var cluster: String
    var region: String
    var changes: [InfraChange]
    var loadBalancerDNSName: String?
    var publicAddresses: [String: String]
    var state: String
    /// Where apply pins the instances' host keys (plan and apply, unless --skip-host-keys).
    var knownHosts: String?
    /// Why apply stopped, when it did; the exit status is 1 then.
    var error: Failure?

    struct Failure: Encodable {
        var message: String
        var fix: String?
    }
}

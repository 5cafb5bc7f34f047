import PKI

/// `pki check --output json`.
struct CheckReport: Encodable {
    var directory: String
    var certificates: Int
    var ok: Bool
    var findings: [PKIFinding]
}

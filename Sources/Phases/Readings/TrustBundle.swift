import PKI
import Render

/// Trust files (PEM bundles of CA certificates) as a CA roll changes them: which certificates a file
/// trusts, and a file that trusts a new CA beside the old ones. Pure, so it is tested without hosts.
public enum TrustBundle {
    public static let etcdTrustFile = "/etc/etcd/ca.pem"
    public static let apiServerUnitFile = "/etc/systemd/system/kube-apiserver.service"

    /// The base64 bodies of the certificates in a PEM text: what a trust file trusts.
    public static func trustedCertificates(_ pem: String) -> Set<String> { Set(CACatalog.bodies(pem)) }

    /// The new trust first, then what the host trusted and the new one does not hold.
    public static func trustBoth(new: String, old: String) -> String {
        let have = trustedCertificates(new)
        var text = new.hasSuffix("\n") ? new : new + "\n"
        var inside = false, block = "", body = ""
        for line in old.split(whereSeparator: \.isNewline) {
            let raw = String(line), trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed == "-----BEGIN CERTIFICATE-----" { inside = true; block = ""; body = "" }
            if inside { block += trimmed + "\n"; if !trimmed.hasPrefix("-----") { body += trimmed } }
            if trimmed == "-----END CERTIFICATE-----" {
                if inside, !have.contains(body) { text += block }
                inside = false
            }
        }
        return text
    }

    /// The etcd-cafile a kube-apiserver unit names.
    public static func etcdCAFile(unit: String) -> String? {
        UnitCommand.parseExecStart(unit: unit)?.arguments.first { $0.hasPrefix("--etcd-cafile=") }.map { String($0.dropFirst("--etcd-cafile=".count)) }
    }
}

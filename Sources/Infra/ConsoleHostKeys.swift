import Foundation

/// The ssh host keys an instance printed on its console. cloud-init's keys_to_console module runs
/// once per instance, on its first boot, and writes (through its write-ssh-key-fingerprints helper)
///
///     -----BEGIN SSH HOST KEY KEYS-----
///     ecdsa-sha2-nistp256 AAAAE2VjZHNh… root@ip-172-31-0-10
///     ssh-ed25519 AAAAC3NzaC1lZDI1NTE5… root@ip-172-31-0-10
///     -----END SSH HOST KEY KEYS-----
///
/// after a FINGERPRINTS block that holds only hashes. Read through the EC2 API (authenticated, over
/// TLS), these keys are trustworthy before the first ssh connection: what `infra apply` pins.
/// Pure: the text in, the keys out.
public enum ConsoleHostKeys {
    static let begin = "-----BEGIN SSH HOST KEY KEYS-----"
    static let end = "-----END SSH HOST KEY KEYS-----"

    /// The keys (`type base64`, without the comment) of the last complete block; empty while there
    /// is none. A console is noisy: lines may carry a prefix (`ec2: `, a syslog header, a kernel
    /// timestamp), end in CRLF, or be cut by a kernel message printed at the same moment, and the
    /// 64 KB EC2 keeps may start inside a block. So the markers are found anywhere in a line, a key
    /// is a type followed by base64 whose decoded blob names that same type (a cut or foreign line
    /// never passes), and a block counts only once its END is there. When the block is there more
    /// than once (cloud-init run again, as after `cloud-init clean --reboot`, makes and prints new
    /// keys), the last one is the current one.
    public static func parse(_ console: String) -> [String] {
        var current: [String]?
        var complete: [String] = []
        // Split on every line break: `\r\n` is one Character and a newline, as is a lone `\r`.
        for line in console.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            if line.contains(begin) {
                current = []
            } else if line.contains(end) {
                if let current { complete = current }
                current = nil
            } else if let keys = current, let key = key(in: line), !keys.contains(key) {
                current = keys + [key]
            }
        }
        return complete
    }

    /// The first `type base64` pair in the line whose base64 is an SSH public key blob of that type.
    static func key(in line: Substring) -> String? {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        for (index, type) in fields.enumerated().dropLast() where isKeyType(type) {
            let base64 = fields[index + 1]
            if blobType(base64) == type { return "\(type) \(base64)" }
        }
        return nil
    }

    /// Key type names are short and plain: `ssh-ed25519`, `ecdsa-sha2-nistp256`, `sk-ssh-ed25519@openssh.com`.
    static func isKeyType(_ field: Substring) -> Bool {
        (7...64).contains(field.count) && field.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "-@.".contains($0)) }
    }

    /// The type named at the start of an SSH public key blob (RFC 4253 section 6.6: a string, that is
    /// a 32-bit big-endian length and the bytes); nil when the text is not base64 of such a blob.
    static func blobType(_ base64: Substring) -> Substring? {
        guard let data = Data(base64Encoded: String(base64)), data.count > 4 else { return nil }
        let bytes = [UInt8](data)
        let length = bytes[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, length <= 64, 4 + length < bytes.count else { return nil }
        return Substring(String(decoding: bytes[4..<(4 + length)], as: UTF8.self))
    }
}

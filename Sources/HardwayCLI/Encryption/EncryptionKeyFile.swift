import Foundation
import PKI
import Render

/// `secrets/encryption-keys.json` (0600 in a 0700 directory). Never replaced by a fresh key when it
/// exists: an unreadable file is an error, because a new key cannot read what the old one wrote.
struct EncryptionKeyFile {
    let path: String

    func load() throws -> EncryptionKeyRing? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read \(path)", fix: "check its permissions; do not delete it: the secrets in etcd need its keys")
        }
        do {
            return try JSONDecoder().decode(EncryptionKeyRing.self, from: data)
        } catch {
            throw CLIError("\(path) is not a readable key ring", fix: "restore it from a backup; do not delete it: the secrets in etcd need its keys")
        }
    }

    func save(_ ring: EncryptionKeyRing) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let directory = (path as NSString).deletingLastPathComponent
        try AtomicFile.makeDirectory(directory, mode: 0o700)
        try AtomicFile.write(Array(try encoder.encode(ring)) + [10], to: path, mode: 0o600)
    }

    /// 32 bytes from the system's secure random source, base64.
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}

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

    /// `secrets/retired/`: every key a finished rotation dropped, one file per rotation (0600 in a
    /// 0700 directory), never deleted — an etcd snapshot from before still needs them.
    var retiredDirectory: String { ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("retired") }

    /// Keeps `keys` in `retired/keys-<UTC time>.json`; returns the file.
    @discardableResult
    func retire(_ keys: [EncryptionKeyRing.Key], now: Date = Date()) throws -> String? {
        guard !keys.isEmpty else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withYear, .withMonth, .withDay, .withTime, .withTimeZone]
        let file = "\(retiredDirectory)/keys-\(formatter.string(from: now).replacingOccurrences(of: ":", with: "")).json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.makeDirectory(retiredDirectory, mode: 0o700)
        try AtomicFile.write(Array(try encoder.encode(EncryptionKeyRing(keys: keys))) + [10], to: file, mode: 0o600)
        return file
    }

    /// Every retired key and the file that keeps it (a key retired twice: the newest file).
    func retired() -> [(file: String, key: EncryptionKeyRing.Key)] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: retiredDirectory)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return names.flatMap { name -> [(file: String, key: EncryptionKeyRing.Key)] in
            let file = "\(retiredDirectory)/\(name)"
            guard let data = FileManager.default.contents(atPath: file), let ring = try? JSONDecoder().decode(EncryptionKeyRing.self, from: data) else { return [] }
            return ring.keys.map { (file, $0) }
        }
    }

    /// 32 bytes from the system's secure random source, base64.
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}

import Foundation
import ClusterModel
import PKI
import Render
import Shell

/// `<dir>`: the cluster's working directory (`pki/`, `secrets/`, `nodes/`, `kubeconfigs/`, `manifests/`).
struct ClusterDirectory {
    let path: String
    let clusterFile: String

    init(cluster: Cluster, dir: String?, clusterFile: String) {
        self.path = dir ?? cluster.name
        self.clusterFile = clusterFile
    }

    var pkiStore: PKIStore { PKIStore(directory: "\(path)/pki") }
    var encryptionKeys: EncryptionKeyFile { EncryptionKeyFile(path: "\(path)/secrets/encryption-keys.json") }

    /// The PKI's PEM text for every certificate of the cluster, after checking that `pki issue`
    /// has nothing left to do: a render never embeds a certificate that no longer fits.
    func loadPKI(for cluster: Cluster, now: Date = Date()) throws -> PKIMaterial {
        let store = pkiStore
        let profiles = ClusterCertificates.profiles(for: cluster)
        let present = store.listing()
        guard !present.isEmpty else {
            throw CLIError("there is no PKI in \(store.directory)", fix: "run `hardway pki issue -f \(clusterFile) --dir \(path)` first")
        }
        // Parsing every key and certificate is most of a render that changes nothing: on all cores.
        let loaded = profiles.concurrentMap { store.load($0.name, present: present) }
        let existing = Dictionary(uniqueKeysWithValues: zip(profiles.map(\.name), loaded))
        let plan = PKIPlanner.plan(profiles: profiles, existing: existing, store: store, now: now)
        let pending = plan.items.filter { $0.action != .keep }.map(\.profile.name)
        guard pending.isEmpty else {
            throw CLIError("the PKI in \(store.directory) does not fit the cluster file: \(pending.count) certificate\(pending.count == 1 ? "" : "s") to issue or renew (\(pending.prefix(5).joined(separator: ", "))\(pending.count > 5 ? ", …" : ""))",
                           fix: "run `hardway pki issue -f \(clusterFile) --dir \(path)` first")
        }
        var material = PKIMaterial()
        for profile in profiles {
            material.certificates[profile.name] = existing[profile.name]?.certificatePEM
            material.keys[profile.name] = existing[profile.name]?.keyPEM
        }
        return material
    }

    /// The encryption key ring; made (one new random key) only when there is none at all.
    func loadOrCreateKeys(provider: EncryptionProvider) throws -> (ring: EncryptionKeyRing, created: Bool) {
        let file = encryptionKeys
        if let ring = try file.load() { return (ring, false) }
        let ring = EncryptionKeyRing.initial(provider: provider, secret: EncryptionKeyFile.newSecret())
        try file.save(ring)
        return (ring, true)
    }
}

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

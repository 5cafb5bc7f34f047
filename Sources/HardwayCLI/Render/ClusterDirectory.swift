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
        // A CA rotation under way (<pki>/rotation.json): the other CA is trusted beside each.
        if let rotation = try CARotation.load(store) { material.alsoTrusted = rotation.alsoTrusted(store) }
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

import ClusterModel
import Foundation

/// The keys that encrypt secrets in etcd, in `EncryptionConfiguration` order: the first one writes,
/// every one reads. Kept in `<dir>/secrets/encryption-keys.json`; a key is never dropped except by
/// the last step of a rotation, because data written with it would become unreadable.
///
/// A rotation follows the documented procedure, one step per `hardway encryption rotate`:
/// `steady` → a new key is added as a read key on every API server (`new-key-readable`) → it becomes
/// the write key (`new-key-writing`) → after every secret is rewritten, `--finish` drops the old keys.
public struct EncryptionKeyRing: Sendable, Equatable, Codable {
    public enum Stage: String, Sendable, Codable {
        case steady
        case newKeyReadable = "new-key-readable"
        case newKeyWriting = "new-key-writing"
    }

    public struct Key: Sendable, Equatable, Codable {
        public var name: String
        public var provider: EncryptionProvider
        /// Base64 of the 32 random bytes.
        public var secret: String

        public init(name: String, provider: EncryptionProvider, secret: String) {
            (self.name, self.provider, self.secret) = (name, provider, secret)
        }
    }

    public var keys: [Key]
    public var stage: Stage

    public init(keys: [Key], stage: Stage = .steady) {
        self.keys = keys
        self.stage = stage
    }

    /// A ring with one key, for a cluster's first render.
    public static func initial(provider: EncryptionProvider, secret: String) -> EncryptionKeyRing {
        EncryptionKeyRing(keys: [Key(name: "key1", provider: provider, secret: secret)])
    }

    public var writeKey: Key? { keys.first }

    /// Step 1: the new key joins as a read key; the current write key keeps writing.
    public func addingKey(provider: EncryptionProvider, secret: String) throws -> EncryptionKeyRing {
        guard stage == .steady else { throw rotationInProgress() }
        let numbers = keys.compactMap { Int($0.name.dropFirst(3)) }
        let name = "key\((numbers.max() ?? 0) + 1)"
        return EncryptionKeyRing(keys: keys + [Key(name: name, provider: provider, secret: secret)], stage: .newKeyReadable)
    }

    /// Step 2: the newest key becomes the write key; the old ones still read.
    public func promotingNewKey() throws -> EncryptionKeyRing {
        guard stage == .newKeyReadable, let newest = keys.last else {
            throw RenderError(.noPendingKey, "no new encryption key is waiting to be made the write key", fix: "run `hardway encryption rotate` to add one")
        }
        return EncryptionKeyRing(keys: [newest] + keys.dropLast(), stage: .newKeyWriting)
    }

    /// Step 3, after every secret was rewritten with the new key: the old keys go.
    public func finishing() throws -> EncryptionKeyRing {
        guard stage == .newKeyWriting, let writeKey else {
            throw RenderError(.noRotationToFinish, "no rotation is waiting to be finished (stage: \(stage.rawValue))",
                              fix: stage == .steady ? "start one with `hardway encryption rotate`"
                                                    : "run `hardway encryption rotate` again to make the new key the write key first")
        }
        return EncryptionKeyRing(keys: [writeKey], stage: .steady)
    }

    /// A retired key back among the read keys (the write key still writes), so what it encrypted
    /// reads again — an older etcd snapshot being restored. The ring is then as in a rotation's
    /// second step: rewrite every secret, and `--finish` retires the key again.
    public func readmitting(_ key: Key) throws -> EncryptionKeyRing {
        guard stage == .steady else { throw rotationInProgress() }
        guard !keys.contains(where: { $0.name == key.name }) else {
            throw RenderError(.rotationInProgress, "the key ring already holds a key named \(key.name)",
                              fix: "nothing to bring back: render and apply, and the API servers read with it")
        }
        return EncryptionKeyRing(keys: keys + [key], stage: .newKeyWriting)
    }

    func rotationInProgress() -> RenderError {
        switch stage {
        case .newKeyReadable:
            return RenderError(.rotationInProgress, "a rotation is in progress: the new key is only a read key yet", fix: "apply the render to every controller, then run `hardway encryption rotate` to make it the write key")
        case .newKeyWriting, .steady:
            return RenderError(.rotationInProgress, "a rotation is in progress: the new key writes, the old keys still read",
                               fix: "rewrite every secret (`hardway encryption rewrite`), then run `hardway encryption rotate --finish`")
        }
    }

    /// Problems that make the ring unusable; the CLI refuses to render with them.
    public func problems() -> [String] {
        var problems: [String] = []
        if keys.isEmpty { problems.append("it holds no key") }
        var seen = Set<String>()
        for key in keys {
            if !seen.insert(key.name).inserted { problems.append("the key name \(key.name) appears twice") }
            let decoded = Base64.decode(key.secret)
            if decoded?.count != 32 { problems.append("key \(key.name) is not 32 bytes of base64") }
        }
        return problems
    }
}

/// `EncryptionConfiguration` for secrets: the ring's providers in order, identity last so secrets
/// written before encryption was switched on stay readable. Public so a rotation can tell whether
/// the controllers run the file of the ring's current step.
public enum EncryptionConfigRenderer {
    /// Where the controllers have it (kube-apiserver's --encryption-provider-config).
    public static let path = NodePaths.kubernetes("encryption-config.yaml")

    public static func render(_ ring: EncryptionKeyRing) -> String {
        var providers: [EncryptionProvider] = []
        for key in ring.keys where !providers.contains(key.provider) { providers.append(key.provider) }
        var text = """
        # written by hardway: which keys encrypt secrets in etcd. The first key of the first provider
        # writes; every key reads. Rotate with `hardway encryption rotate`, never by editing this file.
        apiVersion: apiserver.config.k8s.io/v1
        kind: EncryptionConfiguration
        resources:
          - resources:
              - secrets
            providers:

        """
        for provider in providers {
            text += "      - \(provider.rawValue):\n          keys:\n"
            for key in ring.keys where key.provider == provider {
                text += "            - name: \(key.name)\n              secret: \(key.secret)\n"
            }
        }
        text += "      - identity: {}\n"
        return text
    }
}

/// Base64 of text and bytes, for the ring's secrets and the kubeconfigs' embedded data.
public enum Base64 {
    public static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
    public static func encode(_ text: String) -> String { encode(Array(text.utf8)) }
    public static func decode(_ text: String) -> [UInt8]? { Data(base64Encoded: text).map { Array($0) } }
}

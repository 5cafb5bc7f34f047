import Foundation
import PKI
import Shell

/// The key pair the instances are launched with, and its private key at `identityFile`.
extension InfraProvisioner {
    func ensureKeyPair() async throws {
        let name = design.keyPairName
        let existing = try await orNil { try await ec2("DescribeKeyPairs", [("KeyName.1", name)]) }?.list("keySet").first
        let fileExists = FileManager.default.fileExists(atPath: identityFile)
        if let existing {
            try await adopt(key: "keyPair", existing.string("keyName") ?? name)
            if fileExists {
                note(.init(.keep, "key pair", name, id: existing.string("keyPairId"), detail: "private key at \(identityFile)"))
                return
            }
            // The pair exists but its private key was never saved (an apply stopped in between) or was
            // lost. Replace the pair only while no instance was launched with it.
            let users = try await liveInstances().filter { $0.string("keyName") == name }
            guard users.isEmpty else {
                throw InfraError(.lostPrivateKey,
                                 "key pair \(name) exists but its private key is not at \(identityFile), and \(users.count) instance\(users.count == 1 ? "" : "s") use it",
                                 fix: "restore the private key to \(identityFile) (or point ssh.identityFile at it); AWS never hands out a key pair's private key twice")
            }
            try await act(InfraChange(.change, "key pair", name, detail: "made again: its private key is not at \(identityFile)")) {
                try await ec2("DeleteKeyPair", [("KeyName", name)])
                try await createKeyPair(name)
            }
        } else if fileExists {
            try await act(InfraChange(.create, "key pair", name, detail: "imported from \(identityFile)")) { try await importKeyPair(name) }
        } else {
            try await act(InfraChange(.create, "key pair", name, detail: "private key saved to \(identityFile)")) { try await createKeyPair(name) }
        }
    }

    /// The user's own key: its public half uploaded, the file never overwritten.
    func importKeyPair(_ name: String) async throws {
        let publicKey = try Exec.check("ssh-keygen", ["-y", "-f", identityFile]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let answer = try await ec2("ImportKeyPair", [("KeyName", name), ("PublicKeyMaterial", Data(publicKey.utf8).base64EncodedString())]
                                   + tagSpecification("key-pair", role: "keyPair"))
        try record("keyPair", name)
        note(.init(.create, "key pair", name, id: answer.string("keyPairId"), detail: "imported from \(identityFile)"))
    }

    /// A new pair whose private key AWS hands out once: saved at `identityFile` (0600) at once.
    func createKeyPair(_ name: String) async throws {
        let answer = try await ec2("CreateKeyPair", [("KeyName", name), ("KeyType", "rsa")] + tagSpecification("key-pair", role: "keyPair"))
        let material = try required(answer.child("keyMaterial"), "CreateKeyPair")
        // A directory that exists keeps its mode: it may be the user's own (the cluster file's).
        let directory = (identityFile as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: directory) { try AtomicFile.makeDirectory(directory, mode: 0o700) }
        try AtomicFile.write(material + (material.hasSuffix("\n") ? "" : "\n"), to: identityFile, mode: 0o600)
        state.keyFile = identityFile
        try record("keyPair", name)
        note(.init(.create, "key pair", name, id: answer.string("keyPairId"), detail: "private key saved to \(identityFile) (0600)"))
    }
}

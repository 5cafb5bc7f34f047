import Foundation

/// Where a lab keeps its files: all under the cluster's directory, plain files a person can read.
public struct LabPaths: Sendable {
    /// The cluster's directory, absolute.
    public var directory: String
    /// The private key that logs in to every machine (`ssh.identityFile`, else `DIR/ssh/id_ed25519`).
    public var identityFile: String

    public init(directory: String, identityFile: String? = nil) {
        let absolute = directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
        self.directory = (absolute as NSString).standardizingPath
        self.identityFile = identityFile ?? "\(self.directory)/ssh/id_ed25519"
    }

    public var lab: String { "\(directory)/lab" }
    public var state: String { "\(lab)/state.json" }
    public var machines: String { "\(lab)/machines" }
    public var logs: String { "\(lab)/logs" }
    public var ssh: String { "\(directory)/ssh" }
    public var knownHosts: String { "\(ssh)/known_hosts" }
    public var sshConfig: String { "\(ssh)/config" }
}

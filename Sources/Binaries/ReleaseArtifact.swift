/// One file of an upstream release that `binaries build` downloads: where upstream publishes it and
/// its checksum file, how that checksum file is written, and which programs come out of it.
public struct ReleaseArtifact: Sendable, Equatable {
    /// How the published checksum file names the digest.
    public enum Checksum: Sendable, Equatable {
        /// `<file>.sha256` holding the hex digest alone (dl.k8s.io).
        case digestOnly
        /// sha256sum's format (`<hex>  <name>` lines), perhaps PGP clear-signed: the line naming `entry`.
        case listing(entry: String)
    }

    /// A program taken out of the artifact: its path in the artifact, its name in the binaries directory.
    public struct Member: Sendable, Equatable {
        public var path: String
        public var name: String
    }

    /// How the programs are packed.
    public enum Packing: Sendable, Equatable {
        /// The artifact is the program itself.
        case bare(name: String)
        /// A gzipped tar; exactly these members are taken.
        case tarball([Member])
        /// A gzipped tar of plugins with no top directory: every regular file but `except`, put under
        /// `directory` (the CNI plugins).
        case everyFile(directory: String, except: [String])
    }

    /// `kubernetes`, `etcd`, `containerd`, `runc`, `cni-plugins`.
    public var component: String
    /// Upstream's https URL of the artifact.
    public var url: String
    /// Upstream's https URL of its checksum file.
    public var checksumURL: String
    public var checksum: Checksum
    public var packing: Packing

    public var fileName: String { String(url.split(separator: "/").last ?? "") }

    /// The same file in a files repository laid out as kubespray's files_repo: upstream's host and
    /// path under the mirror's base URL (`https://dl.k8s.io/release/…` → `<mirror>/dl.k8s.io/release/…`).
    public static func mirrored(_ url: String, mirror: String?) -> String {
        guard let mirror else { return url }
        return mirror + "/" + url.dropFirst("https://".count)
    }

    /// Where the artifact is kept in the download cache: upstream's host and path, as in a mirror.
    var cachePath: String { String(url.dropFirst("https://".count)) }
}

import Errors
/// The Binaries module's error: a stable code, a specific lowercase message, and the next step.
public typealias BinariesError = CodedError<BinariesErrorCode>

/// What can go wrong in Binaries, by stable name.
public enum BinariesErrorCode: String, ErrorCode {
    /// A download: no address for the version, no answer (or not HTTP 200), bytes that are not
    /// those its published checksum names, or nothing known to download for the binary.
    case badURL = "bad-url", downloadFailed = "download-failed", checksumMismatch = "checksum-mismatch", noDownload = "no-download"
    /// A published checksum file that names no digest for the file; a release archive without the
    /// programs upstream packs in it; a bundle that is not what `binaries bundle` writes.
    case noChecksum = "no-checksum", badArchive = "bad-archive", badBundle = "bad-bundle"
    /// A file of the binaries directory cannot be read, is not what it should be (a binary of
    /// another version, an image that is not an OCI archive), or cannot be written.
    case unreadable = "unreadable", wrongVersion = "wrong-version", badImage = "bad-image", writeFailed = "write-failed"
    /// apt knows no sources for a package; a Debian package cannot be had or lacks the program.
    case noAptSources = "no-apt-sources", packageUnavailable = "package-unavailable"
    /// Building Kubernetes from source cannot start or failed.
    case buildFailed = "build-failed"
    /// No way to have a binary: not built, not in a package, no download.
    case unavailable = "unavailable"
}

import Errors
/// The Binaries module's error: a stable code, a specific lowercase message, and the next step.
public typealias BinariesError = CodedError<BinariesErrorCode>

/// What can go wrong in Binaries, by stable name.
public enum BinariesErrorCode: String, ErrorCode {
    /// A cluster file's version cannot make a download address.
    case badURL = "bad-url"
    /// A download failed (no answer, or not HTTP 200).
    case downloadFailed = "download-failed"
    /// A download's bytes are not those its published checksum names.
    case checksumMismatch = "checksum-mismatch"
    /// Nothing is known to download for a binary (it comes from a package or binaries.dir).
    case noDownload = "no-download"
    /// A file of the binaries directory cannot be read or is not what it should be.
    case unreadable = "unreadable"
    /// A binary says another version than the cluster file pins.
    case wrongVersion = "wrong-version"
    /// An image archive of images/ is not an OCI archive hardway can read.
    case badImage = "bad-image"
    /// A file of the binaries directory or the cache cannot be written.
    case writeFailed = "write-failed"
    /// apt knows no sources to take a package or source package from.
    case noAptSources = "no-apt-sources"
    /// A Debian package cannot be had, or lacks the program hardway takes from it.
    case packageUnavailable = "package-unavailable"
    /// Building Kubernetes from source cannot start or failed.
    case buildFailed = "build-failed"
    /// No way to have a binary: not built, not in a package, no download.
    case unavailable = "unavailable"
}

import Foundation
import Shell

/// The sha256 of this box's binaries and image archives, remembered in `applied.json` with each
/// file's stamp (size, inode, modification and change times): an apply hashes only what changed
/// since the last, instead of 600 MB each time.
final class LocalDigests: @unchecked Sendable {
    private let lock = NSLock()
    private var known: [String: ApplyRecord.FileStamp]
    private var read: [String: ApplyRecord.FileStamp] = [:]

    init(known: [String: ApplyRecord.FileStamp]) { self.known = known }

    /// The file's sha256: the remembered one while its stamp is unchanged, else read now.
    func sha256(ofFile path: String) throws -> String {
        let stamp = FileDigest.stamp(ofFile: path)
        if let stamp, let entry = lock.withLock({ known[path] }), entry.stamp == stamp { return entry.sha256 }
        let sha256 = try FileDigest.sha256(ofFile: path)
        // Stamped before reading: a file changed while it was read has a newer stamp, so the next
        // run reads it again.
        if let stamp {
            lock.withLock {
                known[path] = ApplyRecord.FileStamp(stamp: stamp, sha256: sha256)
                read[path] = known[path]
            }
        }
        return sha256
    }

    /// The files read this run, with their stamps.
    var fresh: [String: ApplyRecord.FileStamp] { lock.withLock { read } }
}

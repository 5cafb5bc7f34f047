import Foundation
import Crypto

/// The sha256 of files, read in chunks: what binaries, images and snapshots are checked by.
public enum FileDigest {
    /// `size:inode:mtime:ctime` (nanoseconds) of a file, or nil when it cannot be read: what tells,
    /// without reading it, that a file is the one hashed before (its change time no one sets back).
    public static func stamp(ofFile path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return "\(info.st_size):\(info.st_ino):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
    }

    /// Lowercase hex, as `sha256sum` prints it.
    public static func sha256(ofFile path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ShellError("cannot read \(path)", fix: "check its permissions", code: .fileAccess)
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hex(hasher.finalize())
    }

    /// The sha256 of bytes in memory, lowercase hex.
    public static func sha256(_ data: some DataProtocol) -> String { hex(SHA256.hash(data: data)) }

    static let digits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of any bytes (a digest).
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

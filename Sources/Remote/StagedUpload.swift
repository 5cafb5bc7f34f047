import Foundation
import Shell

/// How a batch of files lands on a host so that a cut link never leaves half a file at a final
/// path: each file is unpacked under a temporary name in its own directory, synced, and only then
/// renamed over the final one (a rename is atomic on one file system); a temporary file left by a
/// cut stream is removed when the script ends, whatever happened.
public struct StagedUpload: Sendable {
    public let files: [RemoteFile]
    /// Final path → the temporary name it is unpacked under.
    public let staging: [(final: String, temporary: String)]

    public init(_ files: [RemoteFile], token: String = String(UInt64.random(in: .min ... .max), radix: 36)) {
        self.staging = files.map { file in
            let directory = (file.path as NSString).deletingLastPathComponent
            let base = (file.path as NSString).lastPathComponent
            return (file.path, "\(directory == "/" ? "" : directory)/.\(base).hardway-\(token)")
        }
        self.files = zip(files, staging).map { file, names in
            var staged = file
            staged.path = names.temporary
            return staged
        }
    }

    /// The script the stream is piped into (as root).
    public var script: String {
        let temporaries = staging.map { shellQuote($0.temporary) }.joined(separator: " ")
        let directories = Set(staging.map { ($0.final as NSString).deletingLastPathComponent }).sorted().map(shellQuote).joined(separator: " ")
        var lines = ["set -e", "trap \(shellQuote("rm -f -- " + temporaries)) EXIT",
                     "tar -x -p -f - -C /", "sync -- \(temporaries)"]
        lines += staging.map { "mv -f -T -- \(shellQuote($0.temporary)) \(shellQuote($0.final))" }
        lines.append("sync -- \(directories)")
        return lines.joined(separator: "\n")
    }
}

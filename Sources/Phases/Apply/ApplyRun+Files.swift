import Foundation
import ClusterModel
import Render
import Remote
import Shell

extension ApplyRun {
    struct RemoteFileState: Sendable, Equatable {
        var sha256: String
        var mode: UInt16
        var owner: String
    }

    /// sha256, mode and owner of each existing path on the host. A file whose stamp (size, inode,
    /// change time) is the one recorded with its sha256 last time is not read again; every other is
    /// hashed there, and its stamp remembered.
    func remoteFiles(_ remote: any RemoteHost, paths: [String]) throws -> [String: RemoteFileState] {
        guard !paths.isEmpty else { return [:] }
        let known = ledger.stamps(remote.name)
        // One stat for every path; only a file whose stamp is not the recorded one is hashed.
        let recorded = paths.compactMap { path in known[path].map { shellQuote(path + "|" + $0.stamp) } }
        let script = "stat -c '%s:%i:%.9Z %a %U:%G %n' -- \(paths.map(shellQuote).joined(separator: " ")) 2>/dev/null | " +
            "while read -r s a o f; do [ -f \"$f\" ] || continue; case \"$f|$s\" in " +
            (recorded.isEmpty ? "" : recorded.joined(separator: "|") + ") h=-;; ") +
            "*) h=$(sha256sum < \"$f\" | cut -d' ' -f1);; esac; echo \"$h $s $a $o $f\"; done"
        let output = try remote.check(script, step: "comparing files").stdout
        var result: [String: RemoteFileState] = [:]
        var read: [String: ApplyRecord.FileStamp] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 4).map(String.init)
            guard fields.count == 5, let mode = UInt16(fields[2], radix: 8) else { continue }
            let (hash, stamp, path) = (fields[0], fields[1], fields[4])
            let whole = ApplyRecord.FileStamp.isWhole(stamp)
            let sha256: String
            if hash == "-" {
                guard whole, let recorded = known[path], recorded.stamp == stamp else { continue }
                sha256 = recorded.sha256
            } else {
                sha256 = hash
                if whole { read[path] = ApplyRecord.FileStamp(stamp: stamp, sha256: hash) }
            }
            result[path] = RemoteFileState(sha256: sha256, mode: mode, owner: fields[3])
        }
        ledger.remember(remote.name, stamps: read)
        return result
    }

    /// Remembers the stamps of files this run just wrote, with the sha256 it wrote (path → sha256),
    /// so the next run need not read them back; a stamp that cannot be read costs that one read.
    func rememberWritten(_ remote: any RemoteHost, _ written: [String: String]) {
        guard !written.isEmpty else { return }
        let command = "stat -c '%s:%i:%.9Z %n' -- " + written.keys.sorted().map(shellQuote).joined(separator: " ")
        guard let output = try? remote.run(command), output.succeeded else { return }
        var stamps: [String: ApplyRecord.FileStamp] = [:]
        for line in output.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2, ApplyRecord.FileStamp.isWhole(parts[0]), let sha256 = written[parts[1]] else { continue }
            stamps[parts[1]] = ApplyRecord.FileStamp(stamp: parts[0], sha256: sha256)
        }
        ledger.remember(remote.name, stamps: stamps)
    }

    /// The rendered files whose sha256, mode or owner differ from what the host has.
    func differing(_ files: [RenderedFile], on remote: any RemoteHost) throws -> [RenderedFile] {
        let there = try remoteFiles(remote, paths: files.map(\.path))
        return files.filter { file in
            guard let existing = there[file.path] else { return true }
            return existing.sha256 != file.sha256 || existing.mode != file.mode || existing.owner != file.owner
        }
    }

    /// Writes the files whose sha256, mode or owner differ; whether any did.
    func uploadDiffering(_ files: [RenderedFile], to machine: Machine) throws -> Bool {
        let remote = host(machine)
        let changed = try differing(files, on: remote)
        guard !changed.isEmpty else { return false }
        try wet(machine.name, "write \(changed.map(\.path).joined(separator: ", "))") {
            try remote.upload(changed.map(RemoteFile.init))
            rememberWritten(remote, Dictionary(changed.map { ($0.path, $0.sha256) }) { $1 })
        }
        return true
    }

    /// Stops and disables the `.service` units among `files` and removes the files (a script for one
    /// host): what a host keeps of a role it lost, or a host that left.
    static func removalScript(_ files: [String]) -> (script: String, units: [String]) {
        let units = files.filter { $0.hasPrefix("/etc/systemd/system/") && $0.hasSuffix(".service") }.map { ($0 as NSString).lastPathComponent }
        // A unit stopped past its TimeoutStopSec (kube-apiserver's 5 s, 9 s behind HAProxy) ends "failed": that state goes too.
        var script = units.map { "systemctl disable --now --quiet \(shellQuote($0)) 2>/dev/null || true; systemctl reset-failed \(shellQuote($0)) 2>/dev/null || true" }
        script.append("rm -f " + files.map(shellQuote).joined(separator: " "))
        if !units.isEmpty { script.append("systemctl daemon-reload") }
        return (script.joined(separator: "; "), units)
    }
}

extension RemoteFile {
    /// A rendered file as it goes to its host.
    init(_ file: RenderedFile) {
        self.init(path: file.path, mode: file.mode, owner: file.owner, contents: Data(file.contents.utf8))
    }
}

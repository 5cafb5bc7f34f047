import Foundation
import PKI
import Render

/// Compares a render with what is on disk under `<dir>` and writes the difference: each file
/// atomically with its mode, files no longer rendered removed. A run that is interrupted leaves
/// every file either old or new, and the next run completes it.
struct RenderWriter {
    /// The directories a render owns; anything else under `<dir>` is never touched.
    static let roots = ["nodes", "kubeconfigs", "manifests"]

    enum Change: String, Codable {
        case added, changed, removed
    }

    struct Entry {
        var path: String
        var change: Change
        var old: String?
        var new: RenderedFile?
    }

    let directory: String

    /// Every file under the owned roots, relative to `directory`.
    func existingFiles() -> [String: String] {
        var files: [String: String] = [:]
        let manager = FileManager.default
        for root in Self.roots {
            let base = "\(directory)/\(root)"
            guard let enumerator = manager.enumerator(atPath: base) else { continue }
            for case let relative as String in enumerator {
                let full = "\(base)/\(relative)"
                var isDirectory: ObjCBool = false
                guard manager.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                      !(relative as NSString).lastPathComponent.hasPrefix(AtomicFile.temporaryMarker) else { continue }
                if let data = manager.contents(atPath: full) {
                    files["\(root)/\(relative)"] = String(decoding: data, as: UTF8.self)
                }
            }
        }
        return files
    }

    func changes(_ output: RenderOutput) -> [Entry] {
        let existing = existingFiles()
        let tree = output.tree
        var entries: [Entry] = []
        for (path, file) in tree {
            if let old = existing[path] {
                if old != file.contents || mode(of: path) != file.mode {
                    entries.append(Entry(path: path, change: .changed, old: old, new: file))
                }
            } else {
                entries.append(Entry(path: path, change: .added, old: nil, new: file))
            }
        }
        for (path, old) in existing where tree[path] == nil {
            entries.append(Entry(path: path, change: .removed, old: old, new: nil))
        }
        return entries.sorted { $0.path < $1.path }
    }

    func mode(of path: String) -> UInt16? {
        var info = stat()
        guard stat("\(directory)/\(path)", &info) == 0 else { return nil }
        return UInt16(info.st_mode & 0o7777)
    }

    func apply(_ entries: [Entry]) throws {
        try AtomicFile.makeDirectory(directory, mode: 0o700)
        for root in Self.roots { try AtomicFile.makeDirectory("\(directory)/\(root)", mode: 0o700) }
        // Manifests last, so a MANIFEST never describes files that are not there yet.
        let ordered = entries.filter { !$0.path.hasSuffix("/MANIFEST") } + entries.filter { $0.path.hasSuffix("/MANIFEST") }
        for entry in ordered {
            let full = "\(directory)/\(entry.path)"
            if let file = entry.new {
                try AtomicFile.makeDirectory((full as NSString).deletingLastPathComponent, mode: 0o755)
                try AtomicFile.write(file.contents, to: full, mode: mode_t(file.mode))
                chmod(full, mode_t(file.mode))
            } else {
                try? FileManager.default.removeItem(atPath: full)
                removeEmptyParents(of: full)
            }
        }
    }

    func removeEmptyParents(of path: String) {
        var parent = (path as NSString).deletingLastPathComponent
        while parent.count > directory.count + 1, !Self.roots.contains(where: { "\(directory)/\($0)" == parent }) {
            guard (try? FileManager.default.contentsOfDirectory(atPath: parent))?.isEmpty == true else { return }
            try? FileManager.default.removeItem(atPath: parent)
            parent = (parent as NSString).deletingLastPathComponent
        }
    }
}

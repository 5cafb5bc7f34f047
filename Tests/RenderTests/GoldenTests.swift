import Foundation
import Testing
import Render

/// Every rendered file of two topologies against the files checked in under Golden/. A change to a
/// renderer shows up here as a reviewable diff; `HARDWAY_UPDATE_GOLDEN=1 swift test --filter Golden`
/// rewrites them.
@Suite struct GoldenTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path

    @Test(arguments: ["lab", "dedicated-etcd"])
    func renderMatchesGoldenFiles(_ example: String) throws {
        let tree = try RenderFixture.render(example).tree
        let root = "\(Self.golden)/\(example)"
        if ProcessInfo.processInfo.environment["HARDWAY_UPDATE_GOLDEN"] != nil {
            try? FileManager.default.removeItem(atPath: root)
            for (path, file) in tree {
                let full = "\(root)/\(path)"
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try file.contents.write(toFile: full, atomically: true, encoding: .utf8)
            }
            return
        }
        let checkedIn = Set((FileManager.default.subpaths(atPath: root) ?? []).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: "\(root)/\(path)", isDirectory: &isDirectory) && !isDirectory.boolValue
        })
        #expect(checkedIn == Set(tree.keys), "the set of rendered files changed: run with HARDWAY_UPDATE_GOLDEN=1 and review the diff")
        for (path, file) in tree where checkedIn.contains(path) {
            let expected = try String(contentsOfFile: "\(root)/\(path)", encoding: .utf8)
            #expect(file.contents == expected, "\(example)/\(path) differs from its golden file:\n\(TextDiff.unified(old: expected, new: file.contents, oldName: "golden", newName: "rendered"))")
        }
    }

    @Test func renderingIsPure() throws {
        for example in ["lab", "aws", "two-controllers", "dedicated-etcd", "single-controller"] {
            #expect(try RenderFixture.render(example) == RenderFixture.render(example), "\(example)")
        }
    }
}

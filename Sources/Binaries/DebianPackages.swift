import Foundation
import Shell

/// Files of Debian packages: from the box when the package is installed, else from its .deb,
/// downloaded with `apt-get download` and unpacked with `dpkg-deb -x` under a cache. Nothing is
/// installed that way, so no etcd or containerd daemon starts on the box.
///
/// With a `suite` (e.g. `unstable`, whose containerd 2.x runs on Debian 12), packages come from that
/// suite of Debian's archive through an apt state of hardway's own under the cache (its sources
/// list, lists and package cache): the box's apt configuration is read for its keys only and never
/// changed, and what the box has installed does not count.
public struct DebianPackages: Sendable {
    /// Where downloaded .deb files and their unpacked trees live (and, with a suite, its apt state).
    public var cache: String
    /// A suite of Debian's archive to take packages from instead of the box's sources, or nil.
    public var suite: String?
    /// The archive the suite is read from.
    public var mirror: String

    public init(cache: String, suite: String? = nil, mirror: String = "http://deb.debian.org/debian") {
        self.cache = cache
        self.suite = suite
        self.mirror = mirror
    }

    /// Debian's development suite: the newest containerd, runc and CNI plugins Debian builds.
    public static let unstable = "unstable"
    /// Debian 13: etcd 3.5 and containerd 1.7, whose binaries run on Debian 12 (its runc does not).
    public static let trixie = "trixie"

    /// The Debian version this source gives of a package: for the box, the installed one or else apt's
    /// candidate (apt's lists read again first when they name none, as `roots` does when a download
    /// fails); for a suite, its index's candidate (the index read first when it never was). Nil when
    /// there is no such package.
    public func version(of package: String, progress: (String) -> Void) throws -> String? {
        guard suite != nil else {
            if let known = Self.installedVersion(package) ?? Self.candidateVersion(package) { return known }
            _ = try Exec.run("apt-get", ["update", "-qq"])
            return Self.candidateVersion(package)
        }
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        try updateSuiteIndex(always: false, progress: progress)
        return Self.candidateVersion(package, aptOptions: aptOptions)
    }

    /// The private apt state of a suite.
    var aptDirectory: String { "\(cache)/apt" }

    /// apt's options for the suite's own state (none without a suite): its sources list and no other,
    /// its lists, package cache and an empty dpkg status (the archive's versions, not the box's), no
    /// pinning of the box's, no translations.
    var aptOptions: [String] {
        guard suite != nil else { return [] }
        let apt = aptDirectory
        return ["Dir::Etc::SourceList=\(apt)/sources.list", "Dir::Etc::SourceParts=\(apt)/sources.list.d",
                "Dir::Etc::Preferences=\(apt)/preferences", "Dir::Etc::PreferencesParts=\(apt)/preferences.d",
                "Dir::State::Lists=\(apt)/lists", "Dir::State::status=\(apt)/status", "Dir::Cache=\(apt)/cache",
                "Acquire::Languages=none", "APT::Sandbox::User=root"].flatMap { ["-o", $0] }
    }

    /// Writes the suite's sources list and reads its index (`apt-get update` on the private state)
    /// when `always` or when it has never been read.
    func updateSuiteIndex(always: Bool, progress: (String) -> Void) throws {
        guard let suite else { return }
        let apt = aptDirectory, fm = FileManager.default
        for directory in ["sources.list.d", "preferences.d", "lists/partial", "cache/archives/partial"] {
            try fm.createDirectory(atPath: "\(apt)/\(directory)", withIntermediateDirectories: true)
        }
        if !fm.fileExists(atPath: "\(apt)/status") { fm.createFile(atPath: "\(apt)/status", contents: nil) }
        try "deb \(mirror) \(suite) main\n".write(toFile: "\(apt)/sources.list", atomically: true, encoding: .utf8)
        let read = ((try? fm.contentsOfDirectory(atPath: "\(apt)/lists")) ?? []).contains { $0.hasSuffix("_Packages") || $0.contains("_Packages.") }
        guard always || !read else { return }
        progress("reading Debian \(suite)'s package index into \(apt) (the box's apt is left alone)")
        let result = try Exec.run("apt-get", aptOptions + ["update", "-qq"])
        guard result.succeeded else {
            throw BinariesError(.packageUnavailable, "apt-get update of Debian \(suite) (\(mirror)) failed: \(result.tail)",
                             fix: "check that this box reaches \(mirror), then run this again")
        }
    }

    /// Where a package's files are, and which version they are.
    public struct Root: Sendable, Equatable {
        /// `/` for an installed package, else the directory its .deb was unpacked into.
        public var path: String
        /// Debian's version, e.g. `3.4.23-4+b4`.
        public var version: String
        /// `installed`, or the .deb's file name.
        public var origin: String

        public func file(_ path: String) -> String { self.path == "/" ? path : self.path + path }
    }

    /// `apt-get update` then `apt-get install -y` of `packages`, without questions.
    public static func install(_ packages: [String]) throws -> ExecResult {
        _ = try Exec.run("apt-get", ["update", "-qq"])
        return try Exec.run("apt-get", ["install", "-y", "-q", "--no-install-recommends"] + packages, environment: ["DEBIAN_FRONTEND": "noninteractive"])
    }

    /// Whether apt knows any source package (a deb-src line), which `apt-get source` needs.
    public static func hasSourcePackages() -> Bool {
        guard let result = try? Exec.run("apt-cache", ["showsrc", "kubernetes"]) else { return false }
        return result.stdout.split(separator: "\n").contains { $0.hasPrefix("Version:") }
    }

    public static let sourcesFile = "/etc/apt/sources.list.d/hardway-deb-src.sources"

    /// The box's own `deb` sources again as `deb-src`, in a file of their own (nothing else is edited),
    /// then `apt-get update`. Returns the file written.
    public static func enableSourcePackages(sourcesDirectory: String = "/etc/apt") throws -> String {
        var stanzas: [String] = []
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: "\(sourcesDirectory)/sources.list.d")) ?? []).sorted()
            .map { "\(sourcesDirectory)/sources.list.d/\($0)" } + ["\(sourcesDirectory)/sources.list"]
        for file in files where !file.hasSuffix("hardway-deb-src.sources") {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            stanzas += sourceStanzas(text, deb822: file.hasSuffix(".sources"))
        }
        guard !stanzas.isEmpty else {
            throw BinariesError(.noAptSources, "apt has no `deb` sources on this box to take source packages from",
                             fix: "add a deb-src line for bookworm to /etc/apt/sources.list.d/, then run this again")
        }
        let text = "# written by hardway: the box's Debian sources as deb-src, for `apt-get source kubernetes`\n\n" + stanzas.joined(separator: "\n\n") + "\n"
        try text.write(toFile: sourcesFile, atomically: true, encoding: .utf8)
        _ = try Exec.run("apt-get", ["update", "-qq"])
        return sourcesFile
    }

    /// The `deb` stanzas of a sources file turned into `deb-src` ones (deb822 or one-line format).
    public static func sourceStanzas(_ text: String, deb822: Bool) -> [String] {
        if !deb822 {
            let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("deb ") }
            guard !lines.isEmpty else { return [] }
            return lines.map { line -> String in
                // `deb [options] URI suite components…` → a deb822 stanza.
                var words = line.dropFirst(4).split(separator: " ").map(String.init)
                var signedBy: String?
                if words.first?.hasPrefix("[") == true {
                    var options: [String] = []
                    while let word = words.first { options.append(word); words.removeFirst(); if word.hasSuffix("]") { break } }
                    signedBy = options.joined(separator: " ").trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: " ")
                        .first { $0.hasPrefix("signed-by=") }.map { String($0.dropFirst("signed-by=".count)) }
                }
                guard words.count >= 3 else { return "" }
                return (["Types: deb-src", "URIs: \(words[0])", "Suites: \(words[1])", "Components: \(words.dropFirst(2).joined(separator: " "))"]
                    + (signedBy.map { ["Signed-By: \($0)"] } ?? [])).joined(separator: "\n")
            }.filter { !$0.isEmpty }
        }
        return text.components(separatedBy: "\n\n").compactMap { stanza -> String? in
            let lines = stanza.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
            guard let types = lines.first(where: { $0.hasPrefix("Types:") }), types.split(separator: " ").contains("deb"),
                  !lines.contains(where: { $0.hasPrefix("Enabled: no") }) else { return nil }
            return lines.map { $0.hasPrefix("Types:") ? "Types: deb-src" : $0 }.joined(separator: "\n")
        }
    }

    /// The installed version of a package, or nil.
    public static func installedVersion(_ package: String) -> String? {
        guard let result = try? Exec.run("dpkg-query", ["-W", "-f", "${db:Status-Abbrev} ${Version}", package]), result.succeeded else { return nil }
        let fields = result.stdout.split(separator: " ")
        guard fields.count >= 2, fields[0].hasPrefix("ii") else { return nil }
        return String(fields[1])
    }

    /// The version apt would download, or nil when the archive has no such package.
    public static func candidateVersion(_ package: String, aptOptions: [String] = []) -> String? {
        guard let result = try? Exec.run("apt-cache", aptOptions + ["policy", package]), result.succeeded else { return nil }
        for line in result.stdout.split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("Candidate:") {
                let version = text.dropFirst("Candidate:".count).trimmingCharacters(in: .whitespaces)
                return version == "(none)" || version.isEmpty ? nil : version
            }
        }
        return nil
    }

    /// `1:1.35.0-4+deb12u1+b1` → `1.35.0`; `3.4.23-4+b4` → `3.4.23`; `1.20.5+really1.20.2-1.1` → `1.20.2`.
    public static func upstreamVersion(_ debian: String) -> String {
        var text = Substring(debian)
        if let colon = text.firstIndex(of: ":") { text = text[text.index(after: colon)...] }
        if let dash = text.lastIndex(of: "-") { text = text[..<dash] }
        if let really = text.range(of: "+really") { text = text[really.upperBound...] }
        if let tilde = text.firstIndex(of: "~") { text = text[..<tilde] }
        if let plus = text.firstIndex(of: "+") { text = text[..<plus] }
        return String(text)
    }

    /// Each package's root: installed ones at `/`, the others downloaded (once per version) and
    /// unpacked. A package the archive does not have is an error naming it.
    public func roots(_ packages: [String], progress: (String) -> Void) throws -> [String: Root] {
        var roots: [String: Root] = [:]
        var download: [String] = []
        for package in packages {
            if suite == nil, let version = Self.installedVersion(package) {
                roots[package] = Root(path: "/", version: version, origin: "installed")
            } else {
                download.append(package)
            }
        }
        guard !download.isEmpty else { return roots }
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        try updateSuiteIndex(always: false, progress: progress)
        var candidates = Dictionary(uniqueKeysWithValues: download.map { ($0, Self.candidateVersion($0, aptOptions: aptOptions)) })
        var fetched = Self.debs(in: cache, packages: download, versions: candidates)
        let missing = download.filter { fetched[$0] == nil }
        if !missing.isEmpty {
            progress("taking \(missing.joined(separator: ", ")) from Debian's archive\(suite.map { " (\($0))" } ?? "") (downloaded, not installed)")
            let command = "cd \(shellQuote(cache)) && apt-get " + (aptOptions + ["download"] + missing).map(shellQuote).joined(separator: " ")
            var result = try Exec.run("/bin/sh", ["-c", command])
            if !result.succeeded {
                // An index older than the archive names .debs it no longer has: read it again.
                if suite == nil { _ = try Exec.run("apt-get", ["update", "-qq"]) } else { try updateSuiteIndex(always: true, progress: progress) }
                candidates = Dictionary(uniqueKeysWithValues: download.map { ($0, Self.candidateVersion($0, aptOptions: aptOptions)) })
                result = try Exec.run("/bin/sh", ["-c", command])
            }
            guard result.succeeded else {
                throw BinariesError(.packageUnavailable, "apt-get download \(missing.joined(separator: " ")) failed (\(result.tail))",
                                 fix: "check that this box reaches Debian's archive, or install them with apt-get")
            }
            fetched = Self.debs(in: cache, packages: download, versions: candidates)
        }
        for package in download {
            guard let deb = fetched[package] else {
                throw BinariesError(.packageUnavailable, "Debian's archive\(suite.map { " (\($0))" } ?? "") gave no .deb for \(package)",
                                 fix: suite == nil ? "check `apt-cache policy \(package)`" : "check that Debian \(suite ?? "") still has \(package): \(mirror)/pool/main/")
            }
            let root = "\(cache)/unpacked/\((deb as NSString).deletingPathExtension)"
            if !FileManager.default.fileExists(atPath: root + "/.complete") {
                try? FileManager.default.removeItem(atPath: root)
                try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
                try Exec.check("dpkg-deb", ["-x", "\(cache)/\(deb)", root], what: "unpacking \(deb)")
                FileManager.default.createFile(atPath: root + "/.complete", contents: nil)
            }
            roots[package] = Root(path: root, version: Self.version(ofDeb: deb) ?? "?", origin: deb)
        }
        return roots
    }

    /// The .deb of each package in `directory` (`PACKAGE_VERSION_ARCH.deb`) of the version apt would
    /// take now, or, when apt names none, any.
    static func debs(in directory: String, packages: [String], versions: [String: String?]) -> [String: String] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".deb") }.sorted()
        var result: [String: String] = [:]
        for package in packages {
            let candidate = versions[package] ?? nil
            result[package] = files.last { $0.hasPrefix(package + "_") && (candidate == nil || version(ofDeb: $0) == candidate) }
        }
        return result
    }

    /// `etcd-server_3.4.23-4+b4_amd64.deb` → `3.4.23-4+b4` (apt-get download escapes ':' as %3a).
    public static func version(ofDeb name: String) -> String? {
        let parts = name.split(separator: "_")
        return parts.count == 3 ? parts[1].replacingOccurrences(of: "%3a", with: ":") : nil
    }
}

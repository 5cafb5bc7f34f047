import Foundation
import Crypto
import Shell

/// Kubernetes' server binaries built from Debian's source package `kubernetes` with Debian's Go:
/// Debian 12 ships no kube-apiserver, kubelet, … as packages, but its source package holds the whole
/// upstream tree with its `vendor/`. The build follows upstream's own 1.20 recipe where it matters —
/// GOPATH mode, static (CGO off), `make gen_openapi` for the OpenAPI definitions the tarball lacks, the
/// version ldflags of hack/lib/version.sh — and swaps one vendored package: reflect2 1.0.1 crashes
/// kube-apiserver under Go ≥ 1.18 (SIGSEGV in `UnsafeMapType.UnsafeIterate` on the first
/// `?pretty=true` read of a map), so Debian's golang-github-modern-go-reflect2-dev (1.0.2) replaces it.
///
/// Everything lives under `<cache>/<version>-<key>/`, keyed by the source package's .dsc checksum, with
/// Go's build cache shared beside it: the first build takes minutes, a second run seconds.
public struct KubernetesSourceBuild: Sendable {
    public static let package = "kubernetes"
    /// The versions Debian 12's source package builds (what messages name when the archive is not
    /// reachable to ask).
    public static let knownVersions = ["v1.20.2"]
    public static let components = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl"]
    static let reflect2 = "/usr/share/gocode/src/github.com/modern-go/reflect2"
    /// Bumped when the recipe changes, so an old build is never mistaken for a new one.
    static let recipeVersion = 1

    /// What the build needs on the box: (program or file, the Debian package that gives it).
    public static let prerequisites: [(need: String, package: String)] = [
        ("go", "golang-go"), ("make", "make"), ("rsync", "rsync"), ("gcc", "gcc"), ("dpkg-source", "dpkg-dev"),
        ("/usr/lib/\(multiarch)/libc.a", "libc6-dev"), (reflect2 + "/reflect2.go", "golang-github-modern-go-reflect2-dev"),
    ]

    static var multiarch: String {
        HostArchitecture.gnuTriplet
    }

    /// The packages whose programs or files the box lacks for the build.
    public static func missingPrerequisites() -> [String] {
        var missing: [String] = []
        for (need, package) in prerequisites where !missing.contains(package) {
            let present = need.hasPrefix("/") ? FileManager.default.fileExists(atPath: need) : Exec.find(need) != nil
            if !present { missing.append(package) }
        }
        return missing
    }

    /// The source package apt offers: Debian's version, the upstream version inside it and the
    /// .dsc's checksum (the cache key).
    public struct SourcePackage: Sendable, Equatable {
        public var debianVersion: String
        public var dsc: String
        public var dscSHA256: String
        public var upstreamVersion: String { "v" + DebianPackages.upstreamVersion(debianVersion) }
        public var key: String { "\(upstreamVersion)-\(dscSHA256.prefix(12))" }
    }

    /// Reads `apt-cache showsrc kubernetes`: the newest version, its .dsc and the .dsc's sha256.
    public static func sourcePackage() throws -> SourcePackage? {
        let result = try Exec.run("apt-cache", ["showsrc", package])
        guard result.succeeded else { return nil }
        return parse(showsrc: result.stdout)
    }

    /// The record of the highest version in `apt-cache showsrc`'s output.
    public static func parse(showsrc text: String) -> SourcePackage? {
        var found: [SourcePackage] = []
        for record in text.components(separatedBy: "\n\n") {
            var version: String?
            var inSums = false
            var dsc: (String, String)?
            for line in record.split(separator: "\n") {
                if line.hasPrefix("Version: ") { version = String(line.dropFirst("Version: ".count)) }
                if !line.hasPrefix(" ") { inSums = line.hasPrefix("Checksums-Sha256:") ; continue }
                let fields = line.split(separator: " ")
                if inSums, fields.count == 3, fields[2].hasSuffix(".dsc") { dsc = (String(fields[2]), String(fields[0])) }
            }
            if let version, let dsc { found.append(SourcePackage(debianVersion: version, dsc: dsc.0, dscSHA256: dsc.1)) }
        }
        return found.max { compareDebianVersions($0.debianVersion, $1.debianVersion) < 0 }
    }

    static func compareDebianVersions(_ a: String, _ b: String) -> Int {
        guard let result = try? Exec.run("dpkg", ["--compare-versions", a, "lt", b]) else { return 0 }
        return result.succeeded ? -1 : (a == b ? 0 : 1)
    }

    /// The result: where the binaries are, and whether this run built them.
    public struct Output: Sendable {
        public var directory: String
        public var binaries: [String: String]
        public var pause: String
        public var source: SourcePackage
        public var built: Bool
        public var seconds: Double
    }

    struct Record: Codable {
        var recipe: Int
        var debianVersion: String
        var upstreamVersion: String
        var go: String
        var files: [String: String]
    }

    public var cache: String

    public init(cache: String) {
        self.cache = cache
    }

    /// Builds (or finds in the cache) every component of `source` and the pause program.
    public func build(_ source: SourcePackage, progress: @escaping (String) -> Void) throws -> Output {
        let started = Date()
        let base = "\(cache)/\(source.key)"
        let bin = "\(base)/bin"
        let recordPath = "\(base)/build.json"
        let fm = FileManager.default
        try fm.createDirectory(atPath: base, withIntermediateDirectories: true)
        let lock = try ExclusiveLock("\(base).lock", waiting: { progress("waiting for another hardway building Kubernetes in \(base)") },
                                     unwritable: BinariesError(.writeFailed, "cannot write in \(cache)", fix: "run as root, or set HARDWAY_CACHE to a directory you can write"))
        defer { withExtendedLifetime(lock) {} }
        let outputs = Dictionary(uniqueKeysWithValues: (Self.components + ["pause"]).map { ($0, "\(bin)/\($0)") })
        func output(built: Bool) -> Output {
            Output(directory: bin, binaries: outputs.filter { $0.key != "pause" }, pause: outputs["pause"]!, source: source, built: built,
                   seconds: Date().timeIntervalSince(started))
        }
        // Built before, and every program still what was built (the binaries directories link to these files).
        if let data = fm.contents(atPath: recordPath), let record = try? JSONDecoder().decode(Record.self, from: data),
           record.recipe == Self.recipeVersion,
           outputs.allSatisfy({ fm.isExecutableFile(atPath: $0.value) && (try? FileDigest.sha256(ofFile: $0.value)) == record.files[$0.key] }) {
            progress("kubernetes \(source.upstreamVersion): built before from Debian's source \(source.debianVersion) (\(base))")
            return output(built: false)
        }
        let missing = Self.missingPrerequisites()
        guard missing.isEmpty else {
            throw BinariesError(.buildFailed, "building Kubernetes needs \(missing.joined(separator: ", ")), which this box lacks",
                             fix: "run `apt-get install -y \(missing.joined(separator: " "))`, or pass --install-prerequisites")
        }
        let log = "\(base)/build.log"
        fm.createFile(atPath: log, contents: nil)
        let steps = 5 + Self.components.count
        var step = 0
        func announce(_ text: String) {
            step += 1
            progress("  [\(step)/\(steps)] \(text)")
        }
        func run(_ what: String, _ program: String, _ arguments: [String], environment: [String: String] = [:]) throws {
            let result = try Exec.run(program, arguments, environment: environment)
            Self.append(log, "$ \(program) \(arguments.joined(separator: " "))\n\(result.stdout)\(result.stderr)\n")
            guard result.succeeded else {
                throw BinariesError(.buildFailed, "\(what) failed (\(result.tail))", fix: "the whole output is in \(log)")
            }
        }
        progress("kubernetes \(source.upstreamVersion): building from Debian's source package \(Self.package) \(source.debianVersion) in \(base) (minutes the first time; log: \(log))")

        // 1. The source package, checked by apt against the archive's signed index.
        let download = "\(base)/source"
        let dsc = "\(download)/\(source.dsc)"
        announce("apt-get source \(Self.package)=\(source.debianVersion)")
        if (try? FileDigest.sha256(ofFile: dsc)) != source.dscSHA256 {
            try? fm.removeItem(atPath: download)
            try fm.createDirectory(atPath: download, withIntermediateDirectories: true)
            try run("apt-get source \(Self.package)", "/bin/sh",
                    ["-c", "cd \(shellQuote(download)) && apt-get source --download-only \(shellQuote("\(Self.package)=\(source.debianVersion)"))"])
        }

        // 2. Unpacked with Debian's patches, straight into a GOPATH (the 1.20 tree builds in GOPATH mode).
        let gopath = "\(base)/gopath"
        let tree = "\(gopath)/src/k8s.io/kubernetes"
        announce("dpkg-source -x (the upstream tree with Debian's patches)")
        if !fm.fileExists(atPath: "\(tree)/.hardway-unpacked") {
            try? fm.removeItem(atPath: gopath)
            try fm.createDirectory(atPath: "\(gopath)/src/k8s.io", withIntermediateDirectories: true)
            try run("dpkg-source -x \(source.dsc)", "dpkg-source", ["-x", dsc, tree])
            fm.createFile(atPath: "\(tree)/.hardway-unpacked", contents: nil)
        }

        // 3. reflect2 1.0.2 in place of the vendored 1.0.1.
        announce("vendor/github.com/modern-go/reflect2 from golang-github-modern-go-reflect2-dev")
        let vendored = "\(tree)/vendor/github.com/modern-go/reflect2"
        try? fm.removeItem(atPath: vendored)
        try run("copying reflect2", "cp", ["-r", Self.reflect2, vendored])

        let goCache = "\(cache)/go-build"
        let environment = ["GOPATH": gopath, "GO111MODULE": "off", "CGO_ENABLED": "0", "GOCACHE": goCache, "GOFLAGS": "",
                           "HOME": base, "PWD": tree]

        // 4. The OpenAPI definitions kube-apiserver compiles in; the tarball does not carry them.
        announce("make gen_openapi")
        if !fm.fileExists(atPath: "\(tree)/pkg/generated/openapi/zz_generated.openapi.go") {
            try run("make gen_openapi", "/bin/sh", ["-c", "cd \(shellQuote(tree)) && make gen_openapi"], environment: environment)
        }

        // 5. Each component, static, with the version upstream's release would carry.
        let timestamp = (try? Exec.run("dpkg-parsechangelog", ["-l", "\(tree)/debian/changelog", "-STimestamp"]))?.stdout
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "0"
        let ldflags = Self.ldflags(version: source.upstreamVersion, buildDate: Date(timeIntervalSince1970: TimeInterval(timestamp) ?? 0))
        try fm.createDirectory(atPath: bin, withIntermediateDirectories: true)
        for component in Self.components {
            announce("go build ./cmd/\(component)")
            let componentStarted = Date()
            try run("go build ./cmd/\(component)", "/bin/sh",
                    ["-c", "cd \(shellQuote(tree)) && exec go build -trimpath -ldflags \"$HARDWAY_LDFLAGS\" -o \(shellQuote("\(bin)/\(component).partial")) ./cmd/\(component)"],
                    environment: environment.merging(["HARDWAY_LDFLAGS": ldflags]) { $1 })
            guard rename("\(bin)/\(component).partial", "\(bin)/\(component)") == 0 else {
                throw BinariesError(.writeFailed, "cannot write \(bin)/\(component)", fix: "check the cache directory's permissions")
            }
            progress(String(format: "        %@ in %.0f s", component, Date().timeIntervalSince(componentStarted)))
        }

        // 6. The pause program: one C file, static, as build/pause's Makefile builds it.
        announce("gcc build/pause/linux/pause.c (static)")
        let pauseTag = (try? String(contentsOfFile: "\(tree)/build/pause/Makefile", encoding: .utf8)).flatMap(Self.pauseTag) ?? "unknown"
        try run("building pause", "gcc", ["-Os", "-Wall", "-Werror", "-static", "-DVERSION=v\(pauseTag)-\(source.upstreamVersion)",
                                          "-o", "\(bin)/pause", "\(tree)/build/pause/linux/pause.c"])

        var files: [String: String] = [:]
        for (name, path) in outputs { files[name] = try FileDigest.sha256(ofFile: path) }
        let go = (try? Exec.run("go", ["version"]))?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) ?? "go"
        let record = Record(recipe: Self.recipeVersion, debianVersion: source.debianVersion, upstreamVersion: source.upstreamVersion, go: go, files: files)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(record).write(to: URL(fileURLWithPath: recordPath))
        return output(built: true)
    }

    /// `-X` flags for client-go's and component-base's version packages (hack/lib/version.sh), so
    /// `--version` says the release; the tree state says it came from an archive, not a git checkout.
    public static func ldflags(version: String, buildDate: Date) -> String {
        let digits = version.dropFirst().split(separator: ".")
        let date = ISO8601DateFormatter.string(from: buildDate, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
        var flags = ["-s", "-w", "-buildid="]
        for package in ["client-go/pkg/version", "component-base/version"] {
            let prefix = "k8s.io/kubernetes/vendor/k8s.io/\(package)"
            flags += ["gitVersion=\(version)", "gitMajor=\(digits.first ?? "")", "gitMinor=\(digits.dropFirst().first ?? "")",
                      "gitTreeState=archive", "buildDate=\(date)"].map { "-X \(prefix).\($0)" }
        }
        return flags.joined(separator: " ")
    }

    /// `TAG = 3.4` in build/pause/Makefile.
    public static func pauseTag(_ makefile: String) -> String? {
        makefile.split(separator: "\n").first { $0.hasPrefix("TAG = ") || $0.hasPrefix("TAG ?= ") }
            .map { $0.split(separator: "=").last!.trimmingCharacters(in: .whitespaces) }
    }

    static func append(_ path: String, _ text: String) {
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try? handle.close()
    }
}

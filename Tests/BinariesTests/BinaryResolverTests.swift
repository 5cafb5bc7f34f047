import Foundation
import Shell
import Testing
import Crypto
import Binaries

/// The release download path against a real HTTP server (Python's http.server on loopback) serving
/// files laid out like dl.k8s.io and etcd's GitHub releases. The payloads are test bytes: what is
/// tested is fetching, checking against the published sha256 and caching, never a Kubernetes binary.
@Suite("binaries: download, sha256, cache", .serialized)
struct BinaryResolverTests {
    typealias Server = LoopbackHTTPServer

    static func sha(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    func resolver(_ server: Server, cache: String, downloads: Bool = true) -> BinaryResolver {
        BinaryResolver(directory: cache + "-empty-binaries", downloads: downloads, cache: cache, kubernetesVersion: "v1.31.4",
                       etcdVersion: "v3.5.17", kubernetesBaseURL: server.url + "/release", etcdBaseURL: server.url + "/etcd", architecture: "amd64")
    }

    let kubectl = BinaryNeed(name: "kubectl", source: "kubectl", destination: "/usr/local/bin/kubectl", kubernetes: true)

    @Test("a Kubernetes release file is fetched, checked against its .sha256 and cached; the cache serves it once the server is gone")
    func kubernetes() throws {
        let server = try Server()
        let cache = NSTemporaryDirectory() + "hardway-cache-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let payload = Data("test payload for the download path\n".utf8)
        try server.put("release/v1.31.4/bin/linux/amd64/kubectl", payload)
        try server.put("release/v1.31.4/bin/linux/amd64/kubectl.sha256", Data(Self.sha(payload).utf8))
        let file = try #require(try resolver(server, cache: cache).file(for: kubectl))
        #expect(file == "\(cache)/v1.31.4/amd64/kubectl")
        #expect(FileManager.default.contents(atPath: file) == payload)
        #expect(FileManager.default.isExecutableFile(atPath: file))
        server.stop()
        #expect(try resolver(server, cache: cache).file(for: kubectl) == file)
    }

    @Test("a file whose sha256 differs from the published one is refused and not kept")
    func mismatch() throws {
        let server = try Server()
        defer { server.stop() }
        let cache = NSTemporaryDirectory() + "hardway-cache-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: cache) }
        try server.put("release/v1.31.4/bin/linux/amd64/kubectl", Data("tampered\n".utf8))
        try server.put("release/v1.31.4/bin/linux/amd64/kubectl.sha256", Data(Self.sha(Data("original\n".utf8)).utf8))
        do {
            _ = try resolver(server, cache: cache).file(for: kubectl)
            Issue.record("a mismatching download was accepted")
        } catch let error as BinariesError {
            #expect(error.message.contains("does not match its published sha256") && error.code == .checksumMismatch)
        }
        #expect(!FileManager.default.fileExists(atPath: "\(cache)/v1.31.4/amd64/kubectl"))
    }

    @Test("etcd comes out of its release tarball, checked against SHA256SUMS; with downloads off nothing is fetched")
    func etcd() throws {
        let server = try Server()
        defer { server.stop() }
        let cache = NSTemporaryDirectory() + "hardway-cache-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let staging = NSTemporaryDirectory() + "hardway-etcd-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let inner = "\(staging)/etcd-v3.5.17-linux-amd64"
        try FileManager.default.createDirectory(atPath: inner, withIntermediateDirectories: true)
        for name in ["etcd", "etcdctl", "etcdutl"] { try Data("\(name) test bytes\n".utf8).write(to: URL(fileURLWithPath: "\(inner)/\(name)")) }
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["-czf", "\(staging)/etcd.tar.gz", "-C", staging, "etcd-v3.5.17-linux-amd64"]
        try Launch.locked { try tar.run() }
        tar.waitUntilExit()
        let tarball = try #require(FileManager.default.contents(atPath: "\(staging)/etcd.tar.gz"))
        try server.put("etcd/v3.5.17/etcd-v3.5.17-linux-amd64.tar.gz", tarball)
        try server.put("etcd/v3.5.17/SHA256SUMS", Data("\(Self.sha(Data("other".utf8)))  etcd-v3.5.17-linux-arm64.tar.gz\n\(Self.sha(tarball))  etcd-v3.5.17-linux-amd64.tar.gz\n".utf8))
        let etcdNeed = BinaryNeed(name: "etcd", source: "etcd", destination: "/usr/local/bin/etcd", kubernetes: false)
        let off = resolver(server, cache: cache, downloads: false)
        #expect(try off.file(for: etcdNeed) == nil)
        let file = try #require(try resolver(server, cache: cache).file(for: etcdNeed))
        #expect(FileManager.default.contents(atPath: file) == Data("etcd test bytes\n".utf8))
        #expect(FileManager.default.contents(atPath: "\(cache)/v3.5.17/amd64/etcdctl") == Data("etcdctl test bytes\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: "\(cache)/v3.5.17/amd64/etcdutl"), "only what hardway installs is kept")
    }
}

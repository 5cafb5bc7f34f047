import Testing
import Binaries

/// Each project's checksum file, as its release scripts write it (/work/research/r2/downloads.md).
@Suite struct PublishedChecksumTests {
    static let amd64 = "f6ae8efc0fa40079e1475e97cbe9d1bd3f106a28d6af78a11d9f1bd565515e60"
    static let arm64 = "633301e2e32f8a5ad54031aab4901eb00308bec677dd15faa2751e8f9dab5ca4"

    @Test func digestOnlyIsTheFirstWordWhenItIsAHexDigest() {
        #expect(PublishedChecksum.digest(in: Self.amd64, format: .digestOnly) == Self.amd64)
        #expect(PublishedChecksum.digest(in: Self.amd64.uppercased() + "\n", format: .digestOnly) == Self.amd64)
        #expect(PublishedChecksum.digest(in: "<html>not found</html>", format: .digestOnly) == nil)
        #expect(PublishedChecksum.digest(in: String(Self.amd64.dropLast()), format: .digestOnly) == nil)
    }

    @Test func aListingGivesTheLineNamingTheFileExactly() {
        let sums = "\(Self.arm64)  etcd-v3.6.14-linux-arm64.tar.gz\n\(Self.amd64)  etcd-v3.6.14-linux-amd64.tar.gz\n"
        #expect(PublishedChecksum.digest(in: sums, format: .listing(entry: "etcd-v3.6.14-linux-amd64.tar.gz")) == Self.amd64)
        #expect(PublishedChecksum.digest(in: sums, format: .listing(entry: "linux-amd64.tar.gz")) == nil, "not a suffix match")
        #expect(PublishedChecksum.digest(in: "\(Self.amd64) *runc.amd64\r\n", format: .listing(entry: "runc.amd64")) == Self.amd64)
        let twice = sums + "\(Self.arm64)  etcd-v3.6.14-linux-amd64.tar.gz\n"
        #expect(PublishedChecksum.digest(in: twice, format: .listing(entry: "etcd-v3.6.14-linux-amd64.tar.gz")) == nil, "two digests for one file")
    }

    @Test func runcsClearSignedFileIsReadBetweenItsArmorLines() {
        let signed = """
        -----BEGIN PGP SIGNED MESSAGE-----
        Hash: SHA256

        \(Self.amd64)  runc.amd64
        \(Self.arm64)  runc.arm64
        - \(Self.arm64)  runc.tar.xz
        -----BEGIN PGP SIGNATURE-----

        \(Self.arm64)  runc.riscv64
        =abcd
        -----END PGP SIGNATURE-----
        """
        #expect(PublishedChecksum.digest(in: signed, format: .listing(entry: "runc.amd64")) == Self.amd64)
        #expect(PublishedChecksum.digest(in: signed, format: .listing(entry: "runc.tar.xz")) == Self.arm64, "dash-escaping undone")
        #expect(PublishedChecksum.digest(in: signed, format: .listing(entry: "runc.riscv64")) == nil, "the signature block is not the message")
    }
}

import Foundation
import Testing
import Binaries

/// What hardway reads from other programs' answers: versions, Debian's version strings, apt's
/// source records. Answers copied from the real programs on Debian 12.
@Suite struct BinariesParsingTests {
    @Test func versionsAsEachProgramSaysThem() {
        #expect(BinaryVersions.parse("kube-apiserver", output: "Kubernetes v1.20.2\n") == "v1.20.2")
        #expect(BinaryVersions.parse("kubelet", output: "Kubernetes v1.31.4\n") == "v1.31.4")
        #expect(BinaryVersions.parse("etcd", output: "etcd Version: 3.4.23\nGit SHA: Not provided (use ./build instead of go build)\nGo Version: go1.19.8\nGo OS/Arch: linux/amd64\n") == "v3.4.23")
        #expect(BinaryVersions.parse("etcdctl", output: "etcdctl version: 3.4.23\nAPI version: 3.4\n") == "v3.4.23")
        #expect(BinaryVersions.parse("kubectl", output: #"{"clientVersion": {"major": "1", "minor": "20", "gitVersion": "v1.20.2", "platform": "linux/amd64"}}"#) == "v1.20.2")
        #expect(BinaryVersions.parse("containerd", output: "containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3\n") == "1.6.20~ds1")
        #expect(BinaryVersions.parse("runc", output: "runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\n") == "1.1.5+ds1")
        // Debian 13's etcd and containerd (trixie), and the shim's `-v`.
        #expect(BinaryVersions.parse("etcd", output: "etcd Version: 3.5.16\nGit SHA: Not provided (use ./build instead of go build)\nGo Version: go1.24.0\nGo OS/Arch: linux/amd64\n") == "v3.5.16")
        #expect(BinaryVersions.parse("etcdctl", output: "etcdctl version: 3.5.16\nAPI version: 3.5\n") == "v3.5.16")
        #expect(BinaryVersions.parse("containerd", output: "containerd github.com/containerd/containerd 1.7.24~ds1 1.7.24~ds1-6+deb13u1\n") == "1.7.24~ds1")
        #expect(BinaryVersions.parse("ctr", output: "ctr github.com/containerd/containerd 1.7.24~ds1\n") == "1.7.24~ds1")
        #expect(BinaryVersions.arguments(for: "containerd-shim-runc-v2") == ["-v"])
        #expect(BinaryVersions.parse("containerd-shim-runc-v2", output: "containerd-shim-runc-v2:\n  Version:  1.6.20~ds1\n  Revision: 1.6.20~ds1-1+deb12u3\n  Go version: go1.19.8\n\n") == "1.6.20~ds1")
        #expect(BinaryVersions.parse("containerd-shim-runc-v2", output: "containerd-shim-runc-v2:\n  Version:  v1.7.24\n  Revision: 88bf19b2105c8b17560993bee28a01ddc2f97182\n  Go version: go1.22.9\n") == "v1.7.24")
        #expect(BinaryVersions.parse("containerd-shim-runc-v2", output: "flag provided but not defined: -version\nUsage of containerd-shim-runc-v2:\n  -address string\n") == nil)
        // Something else answering: no version, never a guess.
        #expect(BinaryVersions.parse("kube-proxy", output: "error: unknown flag: --version\n") == nil)
        #expect(BinaryVersions.parse("etcd", output: "Kubernetes v1.20.2\n") == nil)
    }

    @Test func pinnedVersionsComeFromTheClusterFile() {
        #expect(BinaryVersions.expected("kubelet", kubernetesVersion: "v1.20.2", etcdVersion: "v3.4.23") == "v1.20.2")
        #expect(BinaryVersions.expected("etcdctl", kubernetesVersion: "v1.20.2", etcdVersion: "3.4.23") == "v3.4.23")
        #expect(BinaryVersions.expected("runc", kubernetesVersion: "v1.20.2", etcdVersion: "v3.4.23") == nil)
        // containerd's three are pinned once the file's containerdVersion is given; runc and the CNI plugins never.
        #expect(BinaryVersions.expected("containerd", kubernetesVersion: "v1.20.2", etcdVersion: "v3.4.23") == nil)
        for name in BinaryVersions.containerdPrograms {
            #expect(BinaryVersions.expected(name, kubernetesVersion: "v1.20.2", etcdVersion: "v3.4.23", containerdVersion: "1.7.24") == "v1.7.24", "\(name)")
            #expect(BinaryVersions.field(for: name) == "containerdVersion")
        }
        #expect(BinaryVersions.expected("runc", kubernetesVersion: "v1.20.2", etcdVersion: "v3.4.23", containerdVersion: "v1.7.24") == nil)
        #expect(BinaryVersions.field(for: "etcdctl") == "etcdVersion" && BinaryVersions.field(for: "kubelet") == "kubernetesVersion")
        #expect(BinaryVersions.field(for: "runc") == nil && BinaryVersions.field(for: "cni/bridge") == nil)
    }

    /// What a program says and what the file says are compared in one spelling: Debian's repack
    /// markers are not a different release, a build of someone else's is.
    @Test func versionsCompareAsUpstreamReleases() {
        #expect(BinaryVersions.normalized("3.4.23") == "v3.4.23" && BinaryVersions.normalized("v3.4.23") == "v3.4.23")
        #expect(BinaryVersions.normalized("1.6.20~ds1") == "v1.6.20")
        #expect(BinaryVersions.normalized("1.7.24~ds1") == "v1.7.24")
        #expect(BinaryVersions.normalized("1.1.5+ds1") == "v1.1.5")
        #expect(BinaryVersions.normalized("2.1.9+dfsg") == "v2.1.9")
        #expect(BinaryVersions.normalized("v1.20.2+k3s1") == "v1.20.2+k3s1")
        #expect(BinaryVersions.normalized("v1.36.0-alpha.1") == "v1.36.0-alpha.1")
    }

    @Test func debianVersionsToUpstream() {
        #expect(DebianPackages.upstreamVersion("1.20.5+really1.20.2-1.1+deb12u1") == "1.20.2")
        #expect(DebianPackages.upstreamVersion("3.4.23-4+b4") == "3.4.23")
        #expect(DebianPackages.upstreamVersion("1:1.35.0-4+deb12u1+b1") == "1.35.0")
        #expect(DebianPackages.upstreamVersion("1.6.20~ds1-1+deb12u3") == "1.6.20")
        #expect(DebianPackages.upstreamVersion("1.7.24~ds1-6+deb13u1") == "1.7.24")
        #expect(DebianPackages.upstreamVersion("3.5.16-4") == "3.5.16")
        #expect(DebianPackages.version(ofDeb: "etcd-server_3.4.23-4+b4_amd64.deb") == "3.4.23-4+b4")
        #expect(DebianPackages.version(ofDeb: "busybox-static_1%3a1.35.0-4+deb12u1+b1_amd64.deb") == "1:1.35.0-4+deb12u1+b1")
    }

    @Test func theSourcePackageAndItsCacheKey() throws {
        let showsrc = """
        Package: kubernetes
        Binary: kubernetes-client
        Version: 1.20.5+really1.20.2-1.1
        Checksums-Sha256:
         1111111111111111111111111111111111111111111111111111111111111111 1929 kubernetes_1.20.5+really1.20.2-1.1.dsc
         b83c0780efb182d928dc63d46488a847f161f04e40a94b96bf5247dd671ecdfc 34428927 kubernetes_1.20.5+really1.20.2.orig.tar.gz

        Package: kubernetes
        Binary: kubernetes-client
        Version: 1.20.5+really1.20.2-1.1+deb12u1
        Build-Depends: debhelper (>= 12~), bash-completion, golang-go, jq, rsync
        Checksums-Sha256:
         19fa1da5aefcef673894ac9511986bd98a14410cf8eea0b626613c30df435257 1973 kubernetes_1.20.5+really1.20.2-1.1+deb12u1.dsc
         b83c0780efb182d928dc63d46488a847f161f04e40a94b96bf5247dd671ecdfc 34428927 kubernetes_1.20.5+really1.20.2.orig.tar.gz
        Homepage: http://kubernetes.io/

        """
        let source = try #require(KubernetesSourceBuild.parse(showsrc: showsrc))
        #expect(source.debianVersion == "1.20.5+really1.20.2-1.1+deb12u1", "the newest of the records")
        #expect(source.dsc == "kubernetes_1.20.5+really1.20.2-1.1+deb12u1.dsc")
        #expect(source.upstreamVersion == "v1.20.2")
        #expect(source.key == "v1.20.2-19fa1da5aefc")
        #expect(KubernetesSourceBuild.parse(showsrc: "") == nil)
    }

    @Test func theVersionLdflagsNameBothVersionPackages() {
        let flags = KubernetesSourceBuild.ldflags(version: "v1.20.2", buildDate: Date(timeIntervalSince1970: 1_749_422_427))
        for package in ["k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version", "k8s.io/kubernetes/vendor/k8s.io/component-base/version"] {
            #expect(flags.contains("-X \(package).gitVersion=v1.20.2"))
            #expect(flags.contains("-X \(package).gitMajor=1 -X \(package).gitMinor=20"))
            #expect(flags.contains("-X \(package).buildDate=2025-06-08T22:40:27Z"))
        }
        #expect(KubernetesSourceBuild.pauseTag("REGISTRY ?= staging-k8s.gcr.io\nTAG = 3.4\nREV = x\n") == "3.4")
    }
}

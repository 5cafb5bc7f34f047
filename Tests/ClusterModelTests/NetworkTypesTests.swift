import Testing
@testable import ClusterModel

@Suite struct IPv4AddressTests {
    @Test(arguments: ["10.0.0.1", "255.255.255.255", "0.0.0.0", "172.31.0.10"])
    func parsesDottedQuads(_ text: String) {
        #expect(IPv4Address(text)?.description == text)
    }

    @Test(arguments: ["10.0.0", "10.0.0.256", "10.00.0.1", "a.b.c.d", "10.0.0.1 ", "", "1.2.3.4.5", "-1.0.0.0", "10..0.1"])
    func rejectsEverythingElse(_ text: String) {
        #expect(IPv4Address(text) == nil)
    }
}

@Suite struct IPv4CIDRTests {
    @Test func parsesAndContains() throws {
        let cidr = try #require(IPv4CIDR("10.32.0.0/24"))
        #expect(cidr.contains(IPv4Address("10.32.0.255")!))
        #expect(!cidr.contains(IPv4Address("10.32.1.0")!))
        #expect(cidr.address(at: 1)?.description == "10.32.0.1")
        #expect(cidr.address(at: 10)?.description == "10.32.0.10")
        #expect(cidr.address(at: 256) == nil)
        #expect(cidr.size == 256)
    }

    @Test func hostBitsSuggestTheNetwork() {
        #expect(IPv4CIDR.parse("10.200.1.7/16") == .failure(.hostBitsSet(suggestion: IPv4CIDR("10.200.0.0/16")!)))
        #expect(IPv4CIDR.parse("10.0.0.0/33") == .failure(.malformed))
        #expect(IPv4CIDR.parse("10.0.0.0") == .failure(.malformed))
        #expect(IPv4CIDR.parse("10.0.0.0/") == .failure(.malformed))
    }

    @Test func overlapAndSubnets() throws {
        let pods = try #require(IPv4CIDR("10.200.0.0/16"))
        #expect(pods.overlaps(IPv4CIDR("10.200.3.0/24")!))
        #expect(IPv4CIDR("10.200.3.0/24")!.overlaps(pods))
        #expect(!pods.overlaps(IPv4CIDR("10.32.0.0/24")!))
        #expect(pods.contains(IPv4CIDR("10.200.255.0/24")!))
        #expect(!IPv4CIDR("10.200.255.0/24")!.contains(pods))
        #expect(pods.subnet(prefixLength: 24, index: 3)?.description == "10.200.3.0/24")
        #expect(pods.subnet(prefixLength: 24, index: 256) == nil)
    }
}

@Suite struct NamesAndDurationsTests {
    @Test func labels() {
        #expect(DNSName.isLabel("worker-0"))
        #expect(!DNSName.isLabel("Worker-0"))
        #expect(!DNSName.isLabel("-worker"))
        #expect(!DNSName.isLabel("worker_0"))
        #expect(!DNSName.isLabel(String(repeating: "a", count: 64)))
        #expect(DNSName.suggestedLabel(for: "Worker_0") == "worker-0")
    }

    @Test func hostNames() {
        #expect(DNSName.isHostName("k8s.example.com"))
        #expect(DNSName.isHostName("*.example.com"))
        #expect(DNSName.isHostName("ground-up-0123.elb.us-east-2.amazonaws.com"))
        #expect(!DNSName.isHostName("bad..name"))
        #expect(!DNSName.isHostName(""))
    }

    @Test func durations() {
        #expect(ValidityDuration("8760h")?.seconds == 8760 * 3600)
        #expect(ValidityDuration("365d")?.seconds == 365 * 86_400)
        #expect(ValidityDuration("1h30m")?.seconds == 5400)
        #expect(ValidityDuration("8760h")?.description == "8760h")
        #expect(ValidityDuration("8760") == nil)
        #expect(ValidityDuration("1y") == nil)
        #expect(ValidityDuration("0h") == nil)
        #expect(ValidityDuration("") == nil)
    }
}

import Foundation
import Testing
import ClusterModel
import Phases
import Binaries
import TestSupport

@Suite("etcd's membership follows the file, one member at a time")
struct EtcdMembershipTests {
    func cluster(_ text: String = Fixture.base) throws -> Cluster {
        let resolution = ClusterResolver.resolve(text: text)
        return try #require(resolution.cluster, "\(resolution.diagnostics)")
    }

    /// The record an apply of `cluster` leaves: every host, etcd applied.
    func record(of cluster: Cluster) -> ApplyRecord {
        var record = ApplyRecord()
        record.phases["etcd"] = Date()
        record.hosts = Dictionary(uniqueKeysWithValues: cluster.hosts.map { ($0.name, ApplyRecord.RecordedHost($0, in: cluster)) })
        return record
    }

    @Test("member list lines: started and unstarted (no name yet), their URLs; warnings and logs skipped")
    func memberList() {
        let members = EtcdMemberEntry.parse("""
        8e9e05c52164694d, started, master-0, https://10.240.0.10:2380, https://10.240.0.10:2379, false
        {"level":"warn","ts":"2026-11-29T16:00:00Z","msg":"retrying, of unary invoker failed"}
        2e80f96756a54ca9, unstarted, , https://10.240.0.13:2380, , false
        """)
        #expect(members.map(\.id) == ["8e9e05c52164694d", "2e80f96756a54ca9"])
        #expect(members[0].started && members[0].name == "master-0" && members[0].clientURLs == ["https://10.240.0.10:2379"])
        #expect(!members[1].started && members[1].name.isEmpty && members[1].peerURLs == ["https://10.240.0.13:2380"] && members[1].clientURLs.isEmpty)
        let health = EtcdMembership.healthyEndpoints("""
        https://10.240.0.10:2379 is healthy: successfully committed proposal: took = 9.1ms
        https://10.240.0.11:2379 is unhealthy: failed to commit proposal: context deadline exceeded
        """)
        #expect(health == ["https://10.240.0.10:2379"])
        #expect([1, 2, 3, 4, 5].map(EtcdMembership.quorum) == [1, 2, 2, 3, 3])
    }

    @Test("a controller removed or added is one change; nothing applied, nothing changes; two at once, or a member's new address, are refused with the steps")
    func changes() throws {
        let three = try cluster()
        let record = record(of: three)
        #expect(EtcdMembership.change(cluster: three, record: record).joining.isEmpty)
        #expect(EtcdMembership.change(cluster: three, record: record).leaving.isEmpty)

        let two = try cluster(Fixture.base.replacingOccurrences(of: "  - { name: master-2, address: 10.240.0.12, roles: [controller] }\n", with: ""))
        let leaving = EtcdMembership.change(cluster: two, record: record).leaving
        #expect(leaving.map(\.name) == ["master-2"] && leaving.first?.host.address == "10.240.0.12")
        try EtcdMembership.checkChange(cluster: two, record: record)
        #expect(EtcdMembership.change(cluster: two, record: ApplyRecord()).leaving.isEmpty, "a cluster never applied has no members to lose")

        let added = Fixture.base.replacingOccurrences(of: "  - { name: master-2,", with: "  - { name: master-3, address: 10.240.0.13, roles: [controller] }\n  - { name: master-2,")
        let four = try cluster(added)
        #expect(EtcdMembership.change(cluster: four, record: record).joining.map(\.name) == ["master-3"])
        try EtcdMembership.checkChange(cluster: four, record: record)

        // master-2 out and master-3 in: two changes.
        let swapped = try cluster(added.replacingOccurrences(of: "  - { name: master-2, address: 10.240.0.12, roles: [controller] }\n", with: ""))
        #expect(throws: PhaseError.self) { try EtcdMembership.checkChange(cluster: swapped, record: record) }
        do {
            try EtcdMembership.checkChange(cluster: swapped, record: record)
        } catch let error as PhaseError {
            #expect(error.message.contains("by 2 members at once (adding master-3; removing master-2)"), "\(error)")
            #expect(error.fix.contains("first take master-2 out of the file and apply"), "\(error)")
        }
        let moved = try cluster(Fixture.base.replacingOccurrences(of: "address: 10.240.0.12,", with: "address: 10.240.0.14,"))
        do {
            try EtcdMembership.checkChange(cluster: moved, record: record)
            Issue.record("a member's new address is refused")
        } catch let error as PhaseError {
            #expect(error.host == "master-2" && error.message.contains("https://10.240.0.12:2380") && error.fix.contains("two steps"), "\(error)")
        }
    }
}

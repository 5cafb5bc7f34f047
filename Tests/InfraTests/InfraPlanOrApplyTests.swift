import AWS
import ClusterModel
import Foundation
import Testing
import TestSupport
@testable import Infra

/// `act`, the one place that decides whether a run changes anything: a plan notes what an apply
/// would do and changes nothing, an apply does it and notes what it did.
@Suite struct InfraPlanOrApplyTests {
    /// A provisioner for the aws example whose client reaches nothing: only `act` and the state are used.
    func provisioner(dryRun: Bool, directory: String) throws -> InfraProvisioner {
        let text = try String(contentsOf: Fixture.repository.appendingPathComponent("examples/aws.yaml"), encoding: .utf8)
        let cluster = try #require(ClusterResolver.resolve(text: text).cluster)
        let client = AWSQueryClient(credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "unused"),
                                    endpoints: AWSEndpoints(region: "us-east-2", override: "http://127.0.0.1:1"), maxAttempts: 1)
        return InfraProvisioner(design: try InfraDesign.make(for: cluster), client: client, directory: directory, state: nil,
                                identityFile: "\(directory)/id_rsa", dryRun: dryRun)
    }

    let planned = InfraChange(.create, "vpc", "ground-up", detail: "172.31.0.0/16, DNS support and hostnames on")

    @Test func aPlanNotesWhatWouldBeDoneAndDoesNothing() async throws {
        let provisioner = try provisioner(dryRun: true, directory: try Scratch.directory())
        var ran = false
        let made: String? = try await provisioner.act(planned) {
            ran = true
            return "vpc-1"
        }
        #expect(!ran)
        #expect(made == nil)
        #expect(provisioner.changes == [planned])
    }

    @Test func anApplyDoesItAndNotesOnlyWhatItDid() async throws {
        let provisioner = try provisioner(dryRun: false, directory: try Scratch.directory())
        let made: String? = try await provisioner.act(planned) {
            provisioner.note(planned.identified("vpc-1"))
            return "vpc-1"
        }
        #expect(made == "vpc-1")
        #expect(provisioner.changes == [planned.identified("vpc-1")])
    }

    @Test func whatAnEarlierStepHasNotMadeYetLeavesTheChangePlanned() async throws {
        let provisioner = try provisioner(dryRun: false, directory: try Scratch.directory())
        let subnet = InfraChange(.create, "subnet", "ground-up", detail: "172.31.0.0/24")
        let made: String? = try await provisioner.act(subnet, with: String?.none) { vpc in "subnet in \(vpc)" }
        #expect(made == nil)
        #expect(provisioner.changes == [subnet])
        let inVPC: String? = try await provisioner.act(subnet, with: "vpc-1") { vpc in "subnet in \(vpc)" }
        #expect(inVPC == "subnet in vpc-1")
    }

    @Test func aChangeReadsTheSameInAPlanAndAnApply() async throws {
        for dryRun in [true, false] {
            let provisioner = try provisioner(dryRun: dryRun, directory: try Scratch.directory())
            var made = false
            try await provisioner.change("vpc", "ground-up", id: "vpc-1", detail: "enableDnsSupport on") { made = true }
            #expect(made == !dryRun)
            #expect(provisioner.changes == [InfraChange(.change, "vpc", "ground-up", id: "vpc-1", detail: "enableDnsSupport on")])
        }
    }

    @Test func aPlanAdoptsNothingIntoTheState() async throws {
        let directory = try Scratch.directory()
        let plan = try provisioner(dryRun: true, directory: directory)
        try await plan.adopt(.vpc, "vpc-1")
        #expect(plan.state.resources["vpc"] == nil)
        #expect(!FileManager.default.fileExists(atPath: InfraState.path(directory: directory)))
        let apply = try provisioner(dryRun: false, directory: directory)
        try await apply.adopt(.vpc, "vpc-1")
        #expect(try InfraState.load(directory: directory)?.resources["vpc"] == "vpc-1")
    }
}

@Suite struct InfraErrorCodeTests {
    @Test func codesAreStableKebabCase() {
        #expect(InfraErrorCode.cidrMismatch.rawValue == "cidr-mismatch")
        #expect(InfraErrorCode.missingHostKeys.rawValue == "missing-host-keys")
        #expect(AWSError.Code.missingCredentials.rawValue == "missing-credentials")
        #expect(AWSError.Code.serviceBusy.rawValue == "service-busy")
    }

    @Test func aStateFileThatCannotBeReadSaysSo() throws {
        let directory = try Scratch.directory()
        try "not json".write(toFile: InfraState.path(directory: directory), atomically: true, encoding: .utf8)
        do {
            _ = try InfraState.load(directory: directory)
            Issue.record("unreadable state must fail")
        } catch let error as InfraError {
            #expect(error.code == .unreadableState)
            #expect(error.message.hasSuffix("infra-state.json is not readable infra state"))
        }
    }
}

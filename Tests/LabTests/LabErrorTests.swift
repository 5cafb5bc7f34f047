import Foundation
import Testing
@testable import Lab
import Shell

@Suite("lab errors: stable codes, and the shape the CLI reports")
struct LabErrorTests {
    @Test("codes are stable kebab-case names")
    func codes() {
        #expect(LabErrorCode.missingNodeCIDR.rawValue == "missing-node-cidr")
        #expect(LabErrorCode.collision.rawValue == "collision")
        #expect(LabError(.leftovers, "lab down left link hw-x", fix: "remove them").description == "lab down left link hw-x; remove them")
    }

    @Test("an entry point's LabError leaves as a program's failure with the same words; other errors pass")
    func surfacing() throws {
        do {
            try LabError.surfacing { throw LabError(.machinesDown, "machines did not come up: worker-0: no ssh", fix: "see the console") }
            Issue.record("the error must pass")
        } catch {
            #expect(!(error is LabError))
            #expect(error is ShellError)
            #expect("\(error)" == "machines did not come up: worker-0: no ssh; see the console")
        }
        struct Other: Error {}
        #expect(throws: Other.self) { try LabError.surfacing { throw Other() } }
        #expect(try LabError.surfacing { 42 } == 42)
    }
}

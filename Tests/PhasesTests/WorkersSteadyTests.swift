import Testing
@testable import Phases

/// The workers gate's last look: containerd, the kubelet and kube-proxy active, each process alive
/// for 3 s; units started ahead (during the control plane) have been, and cost no wait.
@Suite struct WorkersSteadyTests {
    typealias Run = WorkersPhase.UnitRun

    static let old = WorkersPhase.unitRuns("containerd active 201 14.20\nkubelet active 230 13.95\nkube-proxy active 251 13.10\n")

    @Test func theHostsLinesAreRead() {
        #expect(Self.old["kube-proxy"] == Run(active: "active", pid: "251", age: 13.10))
        let stopped = WorkersPhase.unitRuns("containerd active 201 4.00\nkubelet activating 0 -\nkube-proxy inactive 0 -\n")
        #expect(stopped["kubelet"] == Run(active: "activating", pid: "0", age: nil))
        #expect(WorkersPhase.unitRuns("garbage\n\n").isEmpty)
    }

    @Test func processesOlderThanTheWindowPassAtOnce() {
        let verdict = WorkersPhase.unsteady(Self.old)
        #expect(verdict.units.isEmpty && verdict.wait == 0)
    }

    @Test func aYoungProcessIsWaitedForAndMustBeTheSameOneAfter() {
        var young = Self.old
        young["kube-proxy"] = Run(active: "active", pid: "390", age: 0.75)
        let verdict = WorkersPhase.unsteady(young)
        #expect(verdict.units.isEmpty && verdict.wait == 2.25)
        var later = young
        later["kube-proxy"]?.age = 3.1
        #expect(WorkersPhase.unsteady(young, then: later).units.isEmpty)
        // Restarted in between (a new process), or not running when looked at again.
        later["kube-proxy"] = Run(active: "active", pid: "412", age: 0.2)
        #expect(WorkersPhase.unsteady(young, then: later).units == ["kube-proxy"])
        later["kube-proxy"] = Run(active: "activating", pid: "0", age: nil)
        #expect(WorkersPhase.unsteady(young, then: later).units == ["kube-proxy"])
    }

    @Test func aUnitNotActiveOrMissingFailsWithoutWaiting() {
        var failed = Self.old
        failed["containerd"] = Run(active: "activating", pid: "0", age: nil)
        failed.removeValue(forKey: "kubelet")
        let verdict = WorkersPhase.unsteady(failed)
        #expect(verdict.units == ["containerd", "kubelet"] && verdict.wait == 0)
    }
}

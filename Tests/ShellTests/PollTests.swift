import Foundation
import Testing
import Shell

@Suite("polling with a deadline")
struct PollTests {
    final class Counter: @unchecked Sendable { var calls = 0 }

    @Test("a value returned at the third look ends the wait with it")
    func returnsTheFirstValue() {
        let counter = Counter()
        let value = Poll.until(timeout: 10, every: 0.01) { () -> String? in
            counter.calls += 1
            return counter.calls == 3 ? "ready" : nil
        }
        #expect(value == "ready" && counter.calls == 3)
    }

    @Test("a condition never met gives nil after the timeout, having looked more than once")
    func timesOut() {
        let counter = Counter()
        let started = Date()
        let value: Int? = Poll.until(timeout: 0.2, every: 0.05) { counter.calls += 1; return nil }
        #expect(value == nil)
        #expect(Date().timeIntervalSince(started) >= 0.2)
        #expect(counter.calls >= 3)
    }

    @Test("a gate gives the last problem it saw, or nil once healthy")
    func problem() {
        let counter = Counter()
        #expect(Poll.problem(timeout: 0.15, every: 0.05) { counter.calls += 1; return "down \(counter.calls)" } == "down \(counter.calls)")
        #expect(Poll.problem(timeout: 5, every: 0.01) { nil } == nil)
    }

    @Test("an error thrown by the probe ends the wait at once")
    func probeErrors() {
        struct Broken: Error {}
        let counter = Counter()
        #expect(throws: Broken.self) {
            _ = try Poll.until(timeout: 10, every: 0.01) { () throws -> Int? in counter.calls += 1; throw Broken() }
        }
        #expect(counter.calls == 1)
    }

    @Test("the probe runs at least once even with no time at all")
    func runsOnce() {
        #expect(Poll.until(timeout: 0, every: 1) { 7 } == 7)
    }
}

@Suite("file digests")
struct FileDigestTests {
    @Test("sha256 of a file and of bytes agree with sha256sum's known value")
    func knownValue() throws {
        let path = NSTemporaryDirectory() + "hardway-digest-\(UUID().uuidString)"
        try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(try FileDigest.sha256(ofFile: path) == abc)
        #expect(FileDigest.sha256(Data("abc".utf8)) == abc)
        let unreadable = #expect(throws: ShellError.self) { try FileDigest.sha256(ofFile: path + ".missing") }
        #expect(unreadable?.code == .fileAccess)
    }

    @Test("a program the box lacks is an error with its own code, naming it")
    func notInstalled() {
        let error = #expect(throws: ShellError.self) { try Exec.run("hardway-no-such-program", []) }
        #expect(error?.code == .notInstalled && error?.message.contains("hardway-no-such-program") == true)
    }
}

@Suite("parallel work, bounded")
struct ParallelTests {
    final class Gauge: @unchecked Sendable {
        let lock = NSLock()
        var now = 0, most = 0
        func enter() { lock.lock(); now += 1; most = max(most, now); lock.unlock() }
        func leave() { lock.lock(); now -= 1; lock.unlock() }
    }

    @Test("no more than the limit run at once, and the results keep the items' order")
    func bounded() {
        let gauge = Gauge()
        let results = parallel(Array(0..<25), limit: 4) { item -> Int in
            gauge.enter()
            Poll.sleep(seconds: 0.02)
            gauge.leave()
            return item * 2
        }
        #expect(results == (0..<25).map { $0 * 2 })
        #expect(gauge.most <= 4 && gauge.most >= 2, "\(gauge.most) at once")
    }
}

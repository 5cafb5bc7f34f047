import Foundation
import Testing
import Shell

@Suite("running programs: limits, cut input, private scratch files, any bytes")
struct ExecTests {
    @Test("a program past its time limit is stopped, and the result says so")
    func timeLimit() throws {
        let started = Date()
        let result = try Exec.run("sleep", ["30"], timeout: 0.5)
        #expect(result.timedOut && !result.succeeded)
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(try Exec.run("true", [], timeout: 5).succeeded, "a quick program is not stopped")
    }

    @Test("a program that stops reading its input is a cut input, not a crash (SIGPIPE is ignored)")
    func inputCut() throws {
        let big = Data(repeating: 0x61, count: 8 << 20)
        let result = try Exec.run("sh", ["-c", "head -c 10 >/dev/null; exit 3"], data: big)
        #expect(result.inputCut || result.status == 3)
        #expect(!result.succeeded)
    }

    @Test("a stream is written as it is read; a writer's own error stops the program and is thrown")
    func stream() throws {
        let chunks = (0..<64).map { Data(repeating: UInt8(ascii: "a") + UInt8($0 % 26), count: 64 << 10) }
        let result = try Exec.run("sha256sum", [], stdin: .stream { sink in for chunk in chunks { try sink.write(chunk) } })
        #expect(result.stdout.hasPrefix(FileDigest.sha256(chunks.reduce(Data(), +))))
        struct Broken: Error {}
        let started = Date()
        #expect(throws: Broken.self) {
            _ = try Exec.run("cat", [], stdin: .stream { sink in try sink.write(Data("x".utf8)); throw Broken() })
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test("output that is not UTF-8 still reads (as replacement characters), never as nothing")
    func anyBytes() throws {
        let result = try Exec.run("printf", ["active\\377\\n"])
        #expect(result.stdout.hasPrefix("active") && result.stdout.contains("\u{FFFD}"))
    }

    @Test("scratch files live in a 0700 directory of the process's own and are gone after each run")
    func privateScratch() throws {
        let scratch = try ScratchDirectory.shared
        var info = stat()
        #expect(lstat(scratch.path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700 && info.st_uid == geteuid())
        let token = "secret-\(UUID().uuidString)"
        #expect(try Exec.run("echo", [token]).stdout == token + "\n")
        // Other tests run programs meanwhile: none of what is left holds this run's output.
        for name in try FileManager.default.contentsOfDirectory(atPath: scratch.path) {
            let text = (try? String(contentsOfFile: "\(scratch.path)/\(name)", encoding: .utf8)) ?? ""
            #expect(!text.contains(token), "\(name) keeps a finished program's output")
        }
        let (path, descriptor) = try scratch.file("probe")
        defer { close(descriptor); unlink(path) }
        #expect(lstat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
    }
}

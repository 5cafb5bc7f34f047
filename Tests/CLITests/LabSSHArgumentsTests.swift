import ArgumentParser
@testable import HardwayCLI
import Testing

/// `hardway lab ssh` takes its command the way ssh does: parsed in process, no lab needed.
@Suite struct LabSSHArgumentsTests {
    func parse(_ arguments: [String]) throws -> LabSSH {
        let command = try HardwayCommand.parseAsRoot(["lab", "ssh"] + arguments)
        return try #require(command as? LabSSH)
    }

    @Test func theCommandsOwnOptionsGoToTheMachine() throws {
        let ssh = try parse(["m1", "ping", "-c1", "10.0.0.1"])
        #expect(ssh.host == "m1" && ssh.command == ["ping", "-c1", "10.0.0.1"])
        #expect(ssh.options.cluster.file == "cluster.yaml" && ssh.options.directoryOptions.dir == nil)
        // Everything from the command's first word on, even what looks like hardway's own options.
        let words = try parse(["m1", "ls", "-f", "--dir", "/x", "--help", "--"])
        #expect(words.command == ["ls", "-f", "--dir", "/x", "--help", "--"])
    }

    @Test func hardwaysOptionsGoBeforeOrRightAfterTheHost() throws {
        let before = try parse(["-f", "x.yaml", "--dir", "out", "m1", "ping", "-c1", "10.0.0.1"])
        #expect(before.options.cluster.file == "x.yaml" && before.options.directoryOptions.dir == "out")
        #expect(before.host == "m1" && before.command == ["ping", "-c1", "10.0.0.1"])

        let after = try parse(["worker-0", "-f", "x.yaml", "--dir=out", "--", "cat", "/etc/hostname"])
        #expect(after.options.cluster.file == "x.yaml" && after.options.directoryOptions.dir == "out")
        #expect(after.host == "worker-0" && after.command == ["cat", "/etc/hostname"])

        let terminated = try parse(["m1", "--", "ping", "-c1", "10.0.0.1"])
        #expect(terminated.command == ["ping", "-c1", "10.0.0.1"])
        let dashed = try parse(["m1", "--", "--version"])
        #expect(dashed.command == ["--version"], "after --, even a dash word is the command")
        let shell = try parse(["--file", "x.yaml", "m1"])
        #expect(shell.host == "m1" && shell.command == [] && shell.options.cluster.file == "x.yaml")
    }

    @Test func helpAndMistakesAreReportedNotSent() throws {
        for arguments in [["--help"], ["m1", "--help"], ["m1", "-h"]] {
            do {
                // Help before the host comes back as ArgumentParser's help command, which throws
                // the help when run; after the host, parsing throws it.
                var command = try HardwayCommand.parseAsRoot(["lab", "ssh"] + arguments)
                guard !(command is LabSSH) else { Issue.record("\(arguments) would run ssh"); continue }
                try command.run()
                Issue.record("\(arguments) printed no help")
            } catch {
                #expect(HardwayCommand.exitCode(for: error) == .success, "\(arguments) asks for help")
                #expect(HardwayCommand.fullMessage(for: error).contains("USAGE: hardway lab ssh"), "\(arguments)")
            }
        }
        for (arguments, message) in [(["m1", "-x", "ls"], "unknown option '-x' after m1"), (["m1", "-f"], "-f after m1 needs a value"),
                                     ([], "Missing expected argument '<host>'")] {
            do {
                _ = try parse(arguments)
                Issue.record("\(arguments) parsed")
            } catch {
                #expect(HardwayCommand.exitCode(for: error) == .validationFailure, "\(arguments)")
                #expect(HardwayCommand.fullMessage(for: error).contains(message), "\(arguments): \(HardwayCommand.fullMessage(for: error))")
            }
        }
    }
}

import Foundation
import Remote
import Shell

/// A host that answers from a script, for tests of what hardway decides without machines or root:
/// every command it is given is recorded, then answered by the first rule that matches it. A
/// command no rule matches fails (exit 127, "unscripted"), and is recorded as such, so a test sees
/// anything it did not expect. Uploads land in `files`, where the file-comparing script finds them.
public final class ScriptedHost: RemoteHost, @unchecked Sendable {
    public let name: String
    public typealias Answer = (_ command: String, _ host: ScriptedHost) -> ExecResult

    struct Rule {
        var matches: (String) -> Bool
        var answer: Answer
    }

    private let lock = NSLock()
    private var rules: [Rule] = []
    private var _commands: [String] = []
    private var _uploads: [RemoteFile] = []
    private var _files: [String: RemoteFile] = [:]
    private var _active: Set<String> = []
    private var _writes = 0
    private var _stamps: [String: String] = [:]

    public init(_ name: String) { self.name = name }

    /// Every command run here, in order.
    public var commands: [String] { locked { _commands } }
    /// Every file uploaded here, in order.
    public var uploads: [RemoteFile] { locked { _uploads } }
    /// Commands no rule answered.
    public var unscripted: [String] { locked { _commands.filter { command in !rules.contains { $0.matches(command) } } } }

    /// The host's files by path (what an upload wrote, or what a test put there).
    public func file(_ path: String) -> RemoteFile? { locked { _files[path] } }
    public func put(_ file: RemoteFile) { locked { store(file) } }
    public func remove(_ path: String) { locked { _files[path] = nil; _stamps[path] = nil } }
    /// What `stat -c '%s:%i:%.9Z'` prints for the file: every write gives it a new inode and
    /// change time, as a real write (or apply's rename) does.
    public func stamp(_ path: String) -> String? { locked { _stamps[path] } }
    /// Files hashed by the file comparison, in order (a file whose stamp apply knows is not).
    public var hashed: [String] { locked { _hashed } }
    public func hashing(_ path: String) { locked { _hashed.append(path) } }
    private var _hashed: [String] = []

    private func store(_ file: RemoteFile) {
        _writes += 1
        _files[file.path] = file
        _stamps[file.path] = "\((try? file.contents())?.count ?? 0):\(1000 + _writes):1700000000.\(String(format: "%09d", _writes))"
    }
    public var paths: [String] { locked { _files.keys.sorted() } }

    /// systemd units that run here.
    public var active: Set<String> {
        get { locked { _active } }
        set { locked { _active = newValue } }
    }
    public func start(_ unit: String) { locked { _active.insert(unit) } }
    public func stop(_ unit: String) { locked { _active.remove(unit) } }

    /// Answers commands that `matches` accepts; rules added later are asked first, so a test can
    /// override a default.
    @discardableResult
    public func on(_ matches: @escaping (String) -> Bool, _ answer: @escaping Answer) -> ScriptedHost {
        locked { rules.insert(Rule(matches: matches, answer: answer), at: 0) }
        return self
    }

    /// Answers commands that contain `fragment`.
    @discardableResult
    public func on(_ fragment: String, status: Int32 = 0, stdout: String = "", stderr: String = "") -> ScriptedHost {
        on({ $0.contains(fragment) }) { _, _ in ExecResult(status: status, stdout: stdout, stderr: stderr) }
    }

    public func run(_ script: String, input: Data?, timeout: TimeInterval) throws -> ExecResult {
        let rule: Rule? = locked {
            _commands.append(script)
            return rules.first { $0.matches(script) }
        }
        guard let rule else { return ExecResult(status: 127, stdout: "", stderr: "unscripted: \(script)") }
        return rule.answer(script, self)
    }

    /// Stored with their bytes (a file of this box is read now, as a real upload reads it).
    public func upload(_ files: [RemoteFile]) throws {
        let read = try files.map { RemoteFile(path: $0.path, mode: $0.mode, owner: $0.owner, contents: try $0.contents()) }
        locked {
            _uploads += read
            for file in read { store(file) }
        }
    }

    public func download(_ path: String, to local: String) throws {
        guard let file = file(path) else { throw ShellError("\(name) has no \(path)") }
        try file.contents().write(to: URL(fileURLWithPath: local))
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// The words in single quotes of a command, unquoted as sh would (`'a'\''b'` is `a'b`).
    public static func quotedWords(_ text: Substring) -> [String] {
        var words: [String] = [], current = "", inside = false, pending = false
        var characters = text.makeIterator()
        while let character = characters.next() {
            if inside {
                if character == "'" { inside = false; pending = true } else { current.append(character) }
            } else if character == "'" {
                inside = true
            } else if character == "\\", pending, let next = characters.next() {
                current.append(next)
            } else {
                if pending { words.append(current); current = ""; pending = false }
            }
        }
        if pending { words.append(current) }
        return words
    }
}

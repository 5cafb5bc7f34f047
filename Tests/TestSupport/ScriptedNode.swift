import Foundation
import Remote
import Shell

/// The answers a Debian machine with systemd gives to the scripts apply runs, for a ScriptedHost:
/// its facts, swap and sysctls, units that start and stop, listening ports, and files compared by
/// sha256 — kept in the host's own `files` and `active`, so what apply changes is what it reads back.
extension ScriptedHost {
    /// Ports each unit listens on, on the host's address.
    public static let ports: [String: [Int]] = ["etcd": [2379, 2380], "haproxy": [6443], "nginx": [6443],
                                               "kube-apiserver": [6443], "kubelet": [10250]]

    /// A node at `address` answering every script apply runs on one host.
    public static func node(_ name: String, address: String) -> ScriptedHost {
        let host = ScriptedHost(name)
        host.on({ $0.contains("echo \"os=$ID $VERSION_ID\"") }) { _, _ in
            ExecResult(status: 0, stdout: "os=debian 12\narch=x86_64\ninit=systemd\nswap=0\ncapeff=000001ffffffffff\ndropins=\n", stderr: "")
        }
        host.on({ $0.hasPrefix("[ \"$(tail -n +2 /proc/swaps") }) { _, _ in ExecResult(status: 1, stdout: "", stderr: "") }
        host.on({ $0.hasPrefix("[ \"$(cat /proc/sys/net/ipv4/ip_forward)\" = 1 ]") }) { _, _ in ExecResult(status: 0, stdout: "", stderr: "") }
        host.on({ $0.hasPrefix("test -e /proc/sys/net/bridge/bridge-nf-call-iptables") }) { _, _ in ExecResult(status: 0, stdout: "", stderr: "") }
        host.on({ $0.hasPrefix("command -v ") }) { _, _ in ExecResult(status: 0, stdout: "", stderr: "") }
        // Debian 12 mounts the unified hierarchy only (cgroup v2); a test answers `tmpfs` for a v1 host.
        host.on({ $0 == "stat -fc %T /sys/fs/cgroup" }) { _, _ in ExecResult(status: 0, stdout: "cgroup2fs\n", stderr: "") }
        host.on({ $0 == "ss -Htln" }) { _, host in
            let lines = host.active.sorted().flatMap { unit in (ports[unit] ?? []).map { "LISTEN 0 4096 \(address):\($0) 0.0.0.0:*" } }
            return ExecResult(status: 0, stdout: lines.map { $0 + "\n" }.joined(), stderr: "")
        }
        // `cat PATH` (quoted or not, errors sent away or not): the file, or exit 1.
        host.on({ $0.hasPrefix("cat ") && !$0.contains("|") && !$0.contains(";") }) { command, host in
            let rest = command.dropFirst(4).replacingOccurrences(of: " 2>/dev/null", with: "")
            let path = rest.hasPrefix("'") ? quotedWords(Substring(rest)).first ?? "" : rest
            guard let file = host.file(path) else { return ExecResult(status: 1, stdout: "", stderr: "cat: \(path): No such file or directory") }
            return ExecResult(status: 0, stdout: String(decoding: (try? file.contents()) ?? Data(), as: UTF8.self), stderr: "")
        }
        // The file comparison: `stat -c '… %n' -- 'a' 'b' 2>/dev/null | while …; case "$f|$s" in
        // 'a|stamp') h=-;; *) h=$(… sha256sum …);; esac; …`: a file whose stamp is the one given is
        // not hashed (`-`).
        host.on({ $0.hasPrefix("stat -c '%s:%i:%.9Z %a %U:%G %n' -- ") && $0.contains("sha256sum") }) { command, host in
            let listed = command.dropFirst("stat -c '%s:%i:%.9Z %a %U:%G %n' -- ".count)
            let paths = quotedWords(listed.prefix(upTo: listed.range(of: " 2>/dev/null")!.lowerBound))
            let cases = command.range(of: "\" in ").map { command[$0.upperBound...] } ?? ""
            let recorded = cases.range(of: ") h=-;;").map { quotedWords(cases[..<$0.lowerBound]) } ?? []
            let want = Dictionary(recorded.map { pair in (String(pair.prefix { $0 != "|" }), String(pair.drop { $0 != "|" }.dropFirst())) }) { $1 }
            let lines = paths.compactMap { path -> String? in
                guard let file = host.file(path), let stamp = host.stamp(path) else { return nil }
                let hash: String
                if stamp == want[path] {
                    hash = "-"
                } else {
                    host.hashing(path)
                    hash = FileDigest.sha256((try? file.contents()) ?? Data())
                }
                return "\(hash) \(stamp) \(String(file.mode, radix: 8)) \(file.owner) \(path)"
            }
            return ExecResult(status: 0, stdout: lines.map { $0 + "\n" }.joined(), stderr: "")
        }
        // The stamps of files just written: `stat -c '%s:%i:%.9Z %n' -- 'a' 'b'`.
        host.on({ $0.hasPrefix("stat -c '%s:%i:%.9Z %n' -- ") }) { command, host in
            let paths = quotedWords(command.dropFirst("stat -c '%s:%i:%.9Z %n' -- ".count))
            let lines = paths.compactMap { path in host.stamp(path).map { "\($0) \(path)" } }
            return ExecResult(status: 0, stdout: lines.map { $0 + "\n" }.joined(), stderr: "")
        }
        // Which of several units run: `systemctl is-active --quiet a && echo a; …; true` and
        // `for u in a b; do systemctl is-active --quiet $u && echo $u; done`.
        host.on({ $0.contains("systemctl is-active --quiet") && ($0.contains("&& echo") ) }) { command, host in
            let named: [String]
            if command.hasPrefix("for u in ") {
                named = command.dropFirst("for u in ".count).prefix { $0 != ";" }.split(separator: " ").map(String.init)
            } else {
                named = command.components(separatedBy: "systemctl is-active --quiet ").dropFirst().map { String($0.prefix { $0 != " " }) }
            }
            return ExecResult(status: 0, stdout: named.filter(host.active.contains).map { $0 + "\n" }.joined(), stderr: "")
        }
        host.on({ $0.hasPrefix("systemctl is-active --quiet ") && !$0.contains("&&") }) { command, host in
            let unit = String(command.dropFirst("systemctl is-active --quiet ".count))
            return ExecResult(status: host.active.contains(unit) ? 0 : 3, stdout: "", stderr: "")
        }
        host.on({ $0.hasPrefix("systemctl is-active ") && !$0.contains("--quiet") }) { command, host in
            let unit = String(command.dropFirst("systemctl is-active ".count))
            return ExecResult(status: host.active.contains(unit) ? 0 : 3, stdout: host.active.contains(unit) ? "active\n" : "inactive\n", stderr: "")
        }
        host.on({ $0.hasPrefix("systemctl is-enabled --quiet ") })  { _, _ in ExecResult(status: 0, stdout: "", stderr: "") }
        host.on({ $0.hasPrefix("for u in ") && $0.contains("systemctl is-enabled --quiet $u") && !$0.contains("is-active") }) { _, _ in ExecResult(status: 0, stdout: "", stderr: "") }
        // What each unit's running binary says of its version (RunningVersions.script): a started
        // unit runs the binary at /usr/local/bin/<unit>, whose stand-in text names its version.
        host.on({ $0.hasPrefix("echo '== ") && $0.contains("/proc/$pid/exe --version") }) { command, host in
            let units = command.components(separatedBy: "echo '== ").dropFirst().map { String($0.prefix { $0 != "'" }) }
            let lines = units.map { unit -> String in
                guard host.active.contains(unit), let file = host.file("/usr/local/bin/\(unit)") else { return "== \(unit)\nnot running" }
                return "== \(unit)\n" + String(decoding: (try? file.contents()) ?? Data(), as: UTF8.self).trimmingCharacters(in: .newlines)
            }
            return ExecResult(status: 0, stdout: lines.joined(separator: "\n") + "\n", stderr: "")
        }
        host.on({ $0 == "systemctl daemon-reload" }) { _, _ in ExecResult(status: 0, stdout: "", stderr: "") }
        host.on({ $0.hasPrefix("systemctl restart ") || $0.hasPrefix("systemctl reload ") }) { command, host in
            if let unit = command.split(separator: " ").last { host.start(String(unit)) }
            return ExecResult(status: 0, stdout: "", stderr: "")
        }
        // Removing what a host no longer gets: `systemctl disable --now --quiet 'u' …; rm -f 'a' 'b'`.
        host.on({ $0.contains("rm -f ") && !$0.contains("mv /var/lib") }) { command, host in
            for part in command.components(separatedBy: "; ") {
                if part.hasPrefix("systemctl disable --now --quiet ") {
                    let unit = quotedWords(Substring(part)).first ?? ""
                    host.stop(unit.replacingOccurrences(of: ".service", with: ""))
                } else if part.hasPrefix("rm -f ") {
                    for path in quotedWords(part.dropFirst("rm -f ".count)) { host.remove(path) }
                }
            }
            return ExecResult(status: 0, stdout: "", stderr: "")
        }
        return host
    }
}

/// etcd as its members' etcdctl sees it: the members whose host runs etcd are started and healthy.
public enum ScriptedEtcd {
    /// Answers `endpoint health` and `member list` on every member host.
    /// What a test sets of one scripted etcd: members that run but do not answer as healthy (one an
    /// upgrade broke), and the member the others name as leader (else the first started).
    public final class State: @unchecked Sendable {
        private let lock = NSLock()
        private var _unhealthy: Set<String> = []
        private var _leader: String?
        public var unhealthy: Set<String> { get { lock.withLock { _unhealthy } } set { lock.withLock { _unhealthy = newValue } } }
        public var leader: String? { get { lock.withLock { _leader } } set { lock.withLock { _leader = newValue } } }
        public init() {}
    }

    @discardableResult
    public static func serve(_ members: [(name: String, address: String, host: ScriptedHost)]) -> State {
        let state = State()
        for member in members {
            member.host.on({ $0.contains("etcdctl") && $0.contains(" endpoint health") }) { _, _ in
                let lines = members.filter { $0.host.active.contains("etcd") && !state.unhealthy.contains($0.name) }
                    .map { "https://\($0.address):2379 is healthy: successfully committed proposal: took = 2.1ms" }
                return ExecResult(status: 0, stdout: lines.map { $0 + "\n" }.joined(), stderr: "")
            }
            member.host.on({ $0.contains("etcdctl") && $0.contains(" get --consistency=l") }) { _, _ in ExecResult(status: 0, stdout: "", stderr: "") }
            member.host.on({ $0.contains("etcdctl") && $0.contains(" member list") }) { _, _ in
                let lines = members.enumerated().filter { $0.element.host.active.contains("etcd") }.map { index, member in
                    "\(String(0x8e9e05c52164694d + UInt64(index), radix: 16)), started, \(member.name), https://\(member.address):2380, https://\(member.address):2379, false"
                }
                return ExecResult(status: 0, stdout: lines.map { $0 + "\n" }.joined(), stderr: "")
            }
            // Asked before member list (rules added later are asked first): check's script holds both.
            // `endpoint status -w json`: per started member, its id, the leader's (the first started
            // member, or `leader`), and the version its /usr/local/bin/etcd stand-in names; asked for
            // several endpoints at once, or per member between `== name` lines (check's script).
            member.host.on({ $0.contains("etcdctl") && $0.contains(" endpoint status") }) { command, _ in
                let started = members.enumerated().filter { $0.element.host.active.contains("etcd") && !state.unhealthy.contains($0.element.name) }
                let leaderIndex = started.first { $0.element.name == state.leader }?.offset ?? started.first?.offset ?? 0
                func status(_ index: Int, _ member: (name: String, address: String, host: ScriptedHost)) -> String {
                    let text = member.host.file("/usr/local/bin/etcd").map { String(decoding: (try? $0.contents()) ?? Data(), as: UTF8.self) } ?? ""
                    let version = text.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.map { $0.hasPrefix("v") ? String($0.dropFirst()) : $0 } ?? "?"
                    return "{\"Endpoint\":\"https://\(member.address):2379\",\"Status\":{\"header\":{\"cluster_id\":1,\"member_id\":\(10_000_000_000_000_000_000 + UInt64(index)),\"revision\":9,\"raft_term\":2},"
                        + "\"version\":\"\(version)\",\"dbSize\":20480,\"leader\":\(10_000_000_000_000_000_000 + UInt64(leaderIndex)),\"raftIndex\":9,\"raftTerm\":2}}"
                }
                if command.contains("echo '== ") {
                    var out = ""
                    for (index, member) in members.enumerated() {
                        out += "== \(member.name)\n"
                        out += started.contains { $0.offset == index } ? "[\(status(index, member))]\n" : "Failed to get the status of endpoint https://\(member.address):2379 (context deadline exceeded)\n"
                    }
                    out += "== member list\n" + started.map { "\(String(0x8e9e05c52164694d + UInt64($0.offset), radix: 16)), started, \($0.element.name), https://\($0.element.address):2380, https://\($0.element.address):2379, false" }.joined(separator: "\n") + "\n"
                    return ExecResult(status: 0, stdout: out, stderr: "")
                }
                return ExecResult(status: 0, stdout: "[" + started.map { status($0.offset, $0.element) }.joined(separator: ",") + "]\n", stderr: "")
            }
        }
        return state
    }
}

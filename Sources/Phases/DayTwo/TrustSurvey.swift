import Foundation
import ClusterModel
import Remote
import Render
import Shell

/// What each host runs of the files that carry the cluster's certificates and trust, read in one
/// script per host: each file's digest and when its inode last changed, when each unit's process
/// started (for a reloaded unit, its newest worker), the certificates its servers present, and the
/// CA bundles it trusts. A CA rotation moves on only when every process runs the step before; check
/// shows which CA each component serves and trusts.
public struct TrustSurvey: LiveClusterWork, Sendable {
    public let live: LiveCluster

    public init(live: LiveCluster) { self.live = live }

    /// A server whose certificate is read where it listens.
    public struct Server: Sendable, Equatable {
        public var name: String
        public var port: Int
        /// Files of a client certificate to show, for a server that requires one (etcd).
        public var clientCertificate: (certificate: String, key: String)?

        public static func == (a: Server, b: Server) -> Bool { a.name == b.name && a.port == b.port }
    }

    /// The servers of `machine`: the API server on a controller, the kubelet on a worker, etcd on a
    /// member.
    public static func servers(of machine: Machine, in cluster: Cluster) -> [Server] {
        var servers: [Server] = []
        if machine.has(.controller) { servers.append(Server(name: "kube-apiserver", port: ClusterResolver.apiServerSecurePort)) }
        if machine.has(.worker) { servers.append(Server(name: "kubelet", port: 10250)) }
        if cluster.etcdMembers.contains(where: { $0.name == machine.name }) {
            servers.append(Server(name: "etcd", port: 2379, clientCertificate: ("/etc/etcd/peer.pem", "/etc/etcd/peer-key.pem")))
        }
        return servers
    }

    public struct Reading: Sendable, Equatable {
        public struct File: Sendable, Equatable {
            /// nil when the file is missing.
            public var sha256: String?
            /// When its inode last changed (seconds since 1970, the host's clock).
            public var changed: Int?
        }

        public struct Unit: Sendable, Equatable {
            public var active: Bool
            /// When the process that runs the unit's configuration started (the host's clock).
            public var started: Int?
        }

        public var host: String
        public var files: [String: File] = [:]
        public var units: [String: Unit] = [:]
        /// Server name → the certificate it presents (PEM), nil when it did not answer.
        public var served: [String: String] = [:]
        /// Trust file → its PEM text.
        public var trusts: [String: String] = [:]
    }

    /// The script for one host. Prints `file SHA CHANGED PATH`, `unit NAME STATE STARTED`, and
    /// `serves NAME` or `trust PATH` followed by PEM and `end`.
    static func script(address: String, files: [String], units: [String], servers: [Server], trusts: [String]) -> String {
        var lines: [String] = []
        if !files.isEmpty {
            lines.append("for f in \(files.map(shellQuote).joined(separator: " ")); do if [ -f \"$f\" ]; then echo \"file $(sha256sum < \"$f\" | cut -d' ' -f1) $(stat -c %Z \"$f\") $f\"; else echo \"file - - $f\"; fi; done")
        }
        for unit in units {
            lines.append(NodeCommands.unitStarted(unit, newestChild: ApplyRun.reloadedUnits.contains(unit)) + "; echo \"unit \(unit) $(systemctl is-active \(unit)) $t\"")
        }
        for server in servers {
            let client = server.clientCertificate.map { " --cert \(shellQuote($0.certificate)) --key \(shellQuote($0.key))" } ?? ""
            lines.append("echo 'serves \(server.name)'; curl -sk --max-time 3\(client) -o /dev/null -w '%{certs}' https://\(address):\(server.port)/ 2>/dev/null | sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' | sed '/-----END CERTIFICATE-----/q'; echo end")
        }
        for trust in trusts {
            lines.append("echo \(shellQuote("trust \(trust)")); cat \(shellQuote(trust)) 2>/dev/null; echo; echo end")
        }
        return lines.joined(separator: "\n")
    }

    static func parse(host: String, _ text: String) -> Reading {
        var reading = Reading(host: host)
        var block: (kind: String, name: String, text: String)?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if var open = block {
                if line == "end" {
                    let pem = open.text.contains("-----BEGIN CERTIFICATE-----") ? open.text : ""
                    if open.kind == "serves" { reading.served[open.name] = pem.isEmpty ? nil : pem } else { reading.trusts[open.name] = pem }
                    block = nil
                } else if !line.isEmpty {
                    open.text += line + "\n"
                    block = open
                }
                continue
            }
            let fields = line.split(separator: " ", maxSplits: 3).map(String.init)
            switch fields.first {
            case "file" where fields.count == 4:
                reading.files[fields[3]] = fields[1] == "-" ? Reading.File(sha256: nil, changed: nil) : Reading.File(sha256: fields[1], changed: Int(fields[2]))
            case "unit" where fields.count >= 3:
                reading.units[fields[1]] = Reading.Unit(active: fields[2] == "active", started: fields.count > 3 ? Int(fields[3]) : nil)
            case "serves" where fields.count >= 2:
                block = ("serves", fields[1], "")
            case "trust" where fields.count >= 2:
                block = ("trust", fields.dropFirst().joined(separator: " "), "")
            default:
                continue
            }
        }
        return reading
    }

    /// Reads every host of `expected` (host → the files whose running form matters), with the
    /// units those files name, its servers, and `trusts` (host → trust files to read whole).
    public func read(expected: [String: [RenderedFile]], trusts: [String: [String]] = [:], servers: Bool = true) throws -> [Reading] {
        let machines = cluster.hosts.filter { expected[$0.name] != nil || trusts[$0.name] != nil }
        return try onHosts(machines) { machine in
            let files = expected[machine.name] ?? []
            var units: [String] = []
            for unit in files.flatMap(\.units) where !units.contains(unit) { units.append(unit) }
            let script = Self.script(address: machine.address.description, files: files.map(\.path), units: units,
                                     servers: servers ? Self.servers(of: machine, in: self.cluster) : [], trusts: trusts[machine.name] ?? [])
            return Self.parse(host: machine.name, try self.host(machine).check(script, step: "reading the certificates and trust the host runs").stdout)
        }
    }

    /// Why `reading`'s host does not run `files`; empty when every file is the rendered one and
    /// every unit that reads it started after it last changed. One second of slack: both times are
    /// whole seconds, and apply restarts right after writing.
    public static func problems(_ reading: Reading, files: [RenderedFile]) -> [String] {
        var missing: [String] = [], differing: [String] = [], stopped: [String] = [], late: [String: [String]] = [:]
        for file in files {
            guard let found = reading.files[file.path], let sha = found.sha256 else { missing.append(file.path); continue }
            guard sha == file.sha256 else { differing.append(file.path); continue }
            for unit in file.units {
                guard let state = reading.units[unit], state.active, let started = state.started else {
                    if !stopped.contains(unit) { stopped.append(unit) }
                    continue
                }
                if let changed = found.changed, started + 1 < changed { late[unit, default: []].append(file.path) }
            }
        }
        func few(_ paths: [String]) -> String { paths.prefix(3).joined(separator: ", ") + (paths.count > 3 ? ", …" : "") }
        var problems: [String] = []
        if !missing.isEmpty { problems.append("\(reading.host) has no \(few(missing))") }
        if !differing.isEmpty {
            problems.append("\(reading.host): \(differing.count == 1 ? "1 file is" : "\(differing.count) files are") not the rendered one\(differing.count == 1 ? "" : "s") (\(few(differing)))")
        }
        if !stopped.isEmpty { problems.append("\(reading.host): \(stopped.joined(separator: ", ")) not running") }
        for (unit, paths) in late.sorted(by: { $0.key < $1.key }) {
            problems.append("\(reading.host): \(unit) started before \(paths.count == 1 ? paths[0] : "\(paths.count) of its files (\(few(paths)))") last changed")
        }
        return problems
    }
}

extension TrustSurvey {
    /// Every service-account token Secret and the `ca.crt` it gives its pods (PEM), read with kubectl
    /// on the first controller that answers.
    public func tokenCAs() throws -> [(secret: String, ca: String)] {
        let command = NodeCommands.kubectl + " get secrets -A --field-selector type=kubernetes.io/service-account-token" +
            " -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name} {.data.ca\\.crt}{\"\\n\"}{end}'"
        var failure: Error?
        for controller in cluster.controllers {
            do {
                return Self.parseTokenCAs(try host(controller).check(command, step: "reading the service-account token secrets").stdout)
            } catch {
                failure = error
            }
        }
        throw failure ?? PhaseError(.unexpectedState, .controlPlane, "the cluster file has no controller", fix: "check the cluster file's roles")
    }

    static func parseTokenCAs(_ text: String) -> [(secret: String, ca: String)] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard let name = fields.first, !name.isEmpty else { return nil }
            let ca = fields.count > 1 ? Data(base64Encoded: fields[1]).map { String(decoding: $0, as: UTF8.self) } ?? "" : ""
            return (name, ca)
        }
    }
}

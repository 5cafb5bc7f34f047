import Foundation
import ClusterModel
import Render
import Remote
import Shell

/// Moving a running etcd to a new CA without losing quorum (the cluster CA to `etcd-ca`, or one
/// etcd CA to the next). A member that trusts only the old CA refuses a peer or client that shows a
/// certificate from the new one, so the files cannot simply all be written: the new CA is trusted
/// beside the old first, then the certificates change, and only then is the old CA dropped.
///
/// 1. every member trusts both CAs (one restart at a time, gated on all members healthy);
/// 2. every API server trusts both for etcd and shows its new etcd client certificate (gated on /livez);
/// 3. every member shows its new certificates, still trusting both;
/// 4. the phases that follow write the new CA alone and restart members, then API servers, one at a time.
///
/// Each step looks at what the host has, so an interrupted roll goes on where it stopped.
extension Applier {
    static let etcdTrustFile = "/etc/etcd/ca.pem"
    static let apiServerUnitFile = "/etc/systemd/system/kube-apiserver.service"

    /// The base64 bodies of the certificates in a PEM text: what a trust file trusts.
    static func trustedCertificates(_ pem: String) -> Set<String> {
        var found: Set<String> = [], body = "", inside = false
        for line in pem.split(whereSeparator: \.isNewline) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text == "-----BEGIN CERTIFICATE-----" { inside = true; body = ""; continue }
            if text == "-----END CERTIFICATE-----" { if inside, !body.isEmpty { found.insert(body) }; inside = false; continue }
            if inside { body += text }
        }
        return found
    }

    /// The new trust first, then what the host trusted and the new one does not hold.
    static func trustBoth(new: String, old: String) -> String {
        let have = trustedCertificates(new)
        var text = new.hasSuffix("\n") ? new : new + "\n"
        var inside = false, block = "", body = ""
        for line in old.split(whereSeparator: \.isNewline) {
            let raw = String(line), trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed == "-----BEGIN CERTIFICATE-----" { inside = true; block = ""; body = "" }
            if inside { block += trimmed + "\n"; if !trimmed.hasPrefix("-----") { body += trimmed } }
            if trimmed == "-----END CERTIFICATE-----" {
                if inside, !have.contains(body) { text += block }
                inside = false
            }
        }
        return text
    }

    /// The etcd-cafile a kube-apiserver unit names.
    static func etcdCAFile(unit: String) -> String? {
        UnitCommand.parseExecStart(unit: unit)?.arguments.first { $0.hasPrefix("--etcd-cafile=") }.map { String($0.dropFirst("--etcd-cafile=".count)) }
    }

    /// Runs the roll when a running etcd does not yet trust the rendered etcd CA alone and some
    /// member is missing it or still shows certificates from another CA. Returns what it did per host.
    func etcdTrustRoll(dryRun: Bool) throws -> [HostStep] {
        let members = cluster.etcdMembers
        guard let first = members.first, let wanted = rendered.node(first.name)?.file(Self.etcdTrustFile)?.contents else { return [] }
        let newCAs = Self.trustedCertificates(wanted)
        struct MemberTrust: Sendable { var host: String; var active: Bool; var trust: String }
        let states = try parallel(members) { member -> Result<MemberTrust, Error> in
            Result {
                let remote = self.host(member)
                return MemberTrust(host: member.name, active: try remote.run("systemctl is-active --quiet etcd").succeeded,
                                   trust: try remote.run("cat \(Self.etcdTrustFile) 2>/dev/null").stdout)
            }
        }.map { try $0.get() }
        let running = states.filter(\.active)
        // A new cluster, or one whose members already trust the rendered CA: the usual phases do it.
        guard !running.isEmpty, running.contains(where: { !newCAs.isSubset(of: Self.trustedCertificates($0.trust)) }) else { return [] }
        let plan = "etcd's CA changes on a running etcd: trusted beside the old on every member, then the API servers' etcd client, then the members' certificates, then alone, one restart at a time"
        if dryRun { return members.map { HostStep(host: $0.name, notes: [plan]) } }
        progress("  \(plan)")
        guard running.count == members.count else {
            let stopped = states.filter { !$0.active }.map(\.host)
            throw PhaseError(.distribute, host: stopped.first, "etcd is not running on \(stopped.joined(separator: ", ")); moving etcd to its new CA restarts members one at a time and needs every member healthy first",
                             fix: "start it (`systemctl start etcd` there) or look at `journalctl -u etcd -n 30`, then run apply again")
        }
        try etcdGate(phase: .distribute)
        var steps: [String: HostStep] = [:]
        func record(_ host: String, restarted unit: String, note: String) {
            steps[host, default: HostStep(host: host)].restarted.append(unit)
            steps[host]!.notes.append(note)
        }

        // 1. Every member trusts both.
        for (member, state) in zip(members, states) where !newCAs.isSubset(of: Self.trustedCertificates(state.trust)) {
            let both = Self.trustBoth(new: wanted, old: state.trust)
            try host(member).upload([RemoteFile(path: Self.etcdTrustFile, mode: 0o644, contents: Data(both.utf8))])
            try restartEtcd(member)
            record(member.name, restarted: "etcd", note: "etcd trusts the new CA beside the old")
        }
        // 2. Every API server trusts both for etcd and shows its new etcd client certificate.
        for controller in cluster.controllers {
            guard let bundle = rendered.node(controller.name), let unit = bundle.file(Self.apiServerUnitFile),
                  let caPath = Self.etcdCAFile(unit: unit.contents), let newTrust = bundle.file(caPath)?.contents else { continue }
            let remote = host(controller)
            guard try remote.run("systemctl is-active --quiet kube-apiserver").succeeded else { continue }
            let oldPath = Self.etcdCAFile(unit: try remote.run("cat \(Self.apiServerUnitFile) 2>/dev/null").stdout) ?? caPath
            let oldTrust = try remote.run("cat \(shellQuote(oldPath)) 2>/dev/null").stdout
            let files = bundle.files.filter { $0.units.contains("kube-apiserver") }.map { file -> RenderedFile in
                var file = file
                if file.path == caPath { file.contents = Self.trustBoth(new: newTrust, old: oldTrust) }
                return file
            }
            guard try uploadDiffering(files, to: controller) else { continue }
            try remote.check("systemctl daemon-reload && systemctl restart kube-apiserver", step: "restarting kube-apiserver")
            try gate(.distribute, host: controller.name, fix: "look at `journalctl -u kube-apiserver -n 40` on \(controller.name)") {
                let livez = try remote.run("\(Self.kubectl) get --raw /livez 2>&1")
                return livez.succeeded && livez.stdout.hasPrefix("ok") ? nil : "/livez on 127.0.0.1:6443: \(livez.tail)"
            }
            record(controller.name, restarted: "kube-apiserver", note: "the API server trusts etcd's new CA beside the old and shows its new etcd client certificate")
            progress("  \(controller.name): kube-apiserver /livez ok with its new etcd client certificate")
        }
        // 3. Every member shows its new certificates, still trusting both.
        for member in members {
            guard let bundle = rendered.node(member.name) else { continue }
            let trustNow = try host(member).run("cat \(Self.etcdTrustFile)").stdout
            let files = bundle.files.filter { $0.units.contains("etcd") }.map { file -> RenderedFile in
                var file = file
                if file.path == Self.etcdTrustFile { file.contents = Self.trustBoth(new: wanted, old: trustNow) }
                return file
            }
            guard try uploadDiffering(files, to: member) else { continue }
            try host(member).check("systemctl daemon-reload", step: "systemctl daemon-reload")
            try restartEtcd(member)
            record(member.name, restarted: "etcd", note: "etcd shows its certificates from the new CA")
        }
        progress("  etcd's new CA is in place on every member and API server; the old one goes next, one restart at a time")
        return members.map(\.name).compactMap { steps[$0] } + cluster.controllers.map(\.name).filter { name in !members.contains { $0.name == name } }.compactMap { steps[$0] }
    }

    /// Writes the files whose sha256, mode or owner differ; whether any did.
    func uploadDiffering(_ files: [RenderedFile], to machine: Machine) throws -> Bool {
        let remote = host(machine)
        let there = try remoteFiles(remote, paths: files.map(\.path))
        let differing = files.filter { file in
            guard let existing = there[file.path] else { return true }
            return existing.sha256 != file.sha256 || existing.mode != file.mode || existing.owner != file.owner
        }
        guard !differing.isEmpty else { return false }
        try remote.upload(differing.map { RemoteFile(path: $0.path, mode: $0.mode, owner: $0.owner, contents: Data($0.contents.utf8)) })
        return true
    }

    /// Restarts one member and waits until every member is healthy again.
    func restartEtcd(_ member: Machine) throws {
        try host(member).check("systemctl restart etcd", step: "restarting etcd")
        try etcdGate(phase: .distribute)
        progress("  \(member.name): etcd restarted, every member healthy")
    }
}

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
extension ApplyRun {
    struct MemberTrust: Sendable {
        var host: String
        var active: Bool
        var trust: String
    }

    /// Runs the roll when a running etcd does not yet trust the rendered etcd CA alone and some
    /// member is missing it or still shows certificates from another CA. Returns what it did per host.
    func etcdTrustRoll() throws -> [HostStep] {
        let members = cluster.etcdMembers
        guard let first = members.first, let wanted = rendered.node(first.name)?.file(TrustBundle.etcdTrustFile)?.contents else { return [] }
        let newCAs = TrustBundle.trustedCertificates(wanted)
        let states = try onHosts(members) { member in
            let remote = self.host(member)
            return MemberTrust(host: member.name, active: try remote.run("systemctl is-active --quiet etcd").succeeded,
                               trust: try remote.run("cat \(TrustBundle.etcdTrustFile) 2>/dev/null").stdout)
        }
        let running = states.filter(\.active)
        // A new cluster, or one whose members already trust the rendered CA: the usual phases do it.
        guard !running.isEmpty, running.contains(where: { !newCAs.isSubset(of: TrustBundle.trustedCertificates($0.trust)) }) else { return [] }
        guard running.count == members.count else {
            let stopped = states.filter { !$0.active }.map(\.host)
            throw PhaseError(.unexpectedState, .distribute, host: stopped.first, "etcd is not running on \(stopped.joined(separator: ", ")); moving etcd to its new CA restarts members one at a time and needs every member healthy first",
                             fix: "start it (`systemctl start etcd` there) or look at `journalctl -u etcd -n 30`, then run apply again")
        }
        let plan = "etcd's CA changes on a running etcd: trusted beside the old on every member, then the API servers' etcd client, then the members' certificates, then alone, one restart at a time"
        var steps: [String: HostStep] = [:]
        try wet(first.name, plan) {
            progress("  \(plan)")
            try etcdGate(phase: .distribute)
            try roll(wanted: wanted, newCAs: newCAs, states: states) { host, unit, note in
                steps[host, default: HostStep(host: host)].restarted.append(unit)
                steps[host]!.notes.append(note)
            }
            progress("  etcd's new CA is in place on every member and API server; the old one goes next, one restart at a time")
        }
        let order = members.map(\.name) + cluster.controllers.map(\.name).filter { name in !members.contains { $0.name == name } }
        return order.compactMap { steps[$0] }
    }

    /// The roll's three steps; `record(host, unit, note)` is told of each restart.
    func roll(wanted: String, newCAs: Set<String>, states: [MemberTrust], record: (String, String, String) -> Void) throws {
        let members = cluster.etcdMembers
        // 1. Every member trusts both.
        for (member, state) in zip(members, states) where !newCAs.isSubset(of: TrustBundle.trustedCertificates(state.trust)) {
            let both = TrustBundle.trustBoth(new: wanted, old: state.trust)
            try host(member).upload([RemoteFile(path: TrustBundle.etcdTrustFile, mode: 0o644, contents: Data(both.utf8))])
            try restartEtcd(member)
            record(member.name, "etcd", "etcd trusts the new CA beside the old")
        }
        // 2. Every API server trusts both for etcd and shows its new etcd client certificate, taken
        // out of a running load balancer while it restarts, as the control plane's roll does.
        let balancer = APIBalancer(run: self)
        let steering = try balancer.host.map { try host($0).run("systemctl is-active --quiet \(cluster.loadBalancer.kind.rawValue)").succeeded } ?? false
        for controller in cluster.controllers {
            guard let bundle = rendered.node(controller.name), let unit = bundle.file(TrustBundle.apiServerUnitFile),
                  let caPath = TrustBundle.etcdCAFile(unit: unit.contents), let newTrust = bundle.file(caPath)?.contents else { continue }
            let remote = host(controller)
            guard try remote.run("systemctl is-active --quiet kube-apiserver").succeeded else { continue }
            let oldPath = TrustBundle.etcdCAFile(unit: try remote.run("cat \(TrustBundle.apiServerUnitFile) 2>/dev/null").stdout) ?? caPath
            let oldTrust = try remote.run("cat \(shellQuote(oldPath)) 2>/dev/null").stdout
            let files = bundle.files.filter { $0.units.contains("kube-apiserver") }.map { file -> RenderedFile in
                var file = file
                if file.path == caPath { file.contents = TrustBundle.trustBoth(new: newTrust, old: oldTrust) }
                return file
            }
            guard try uploadDiffering(files, to: controller) else { continue }
            if steering { try balancer.takeOut(controller) }
            try remote.check("systemctl daemon-reload && systemctl restart kube-apiserver", step: "restarting kube-apiserver")
            try apiServerLive(controller, phase: .distribute)
            if steering { try balancer.putBack(controller) }
            record(controller.name, "kube-apiserver", "the API server trusts etcd's new CA beside the old and shows its new etcd client certificate")
        }
        // 3. Every member shows its new certificates, still trusting both.
        for member in members {
            guard let bundle = rendered.node(member.name) else { continue }
            let trustNow = try host(member).run("cat \(TrustBundle.etcdTrustFile)").stdout
            let files = bundle.files.filter { $0.units.contains("etcd") }.map { file -> RenderedFile in
                var file = file
                if file.path == TrustBundle.etcdTrustFile { file.contents = TrustBundle.trustBoth(new: wanted, old: trustNow) }
                return file
            }
            guard try uploadDiffering(files, to: member) else { continue }
            try host(member).check("systemctl daemon-reload", step: "systemctl daemon-reload")
            try restartEtcd(member)
            record(member.name, "etcd", "etcd shows its certificates from the new CA")
        }
    }

    /// Restarts one member and waits until every member is healthy again.
    func restartEtcd(_ member: Machine) throws {
        try host(member).check("systemctl restart etcd", step: "restarting etcd")
        try etcdGate(phase: .distribute)
        progress("  \(member.name): etcd restarted, every member healthy")
    }
}

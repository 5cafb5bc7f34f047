import Foundation
import ClusterModel
import Render
import Remote
import Shell

/// The API load balancer as a roll steers it: a controller whose API server restarts is taken out
/// first, so no new request reaches it while it stops and starts, and put back once it is ready and
/// the balancer sends it traffic again — before the next one is taken out.
///
/// - HAProxy: its runtime API (`set server kube-apiservers/<controller> state drain|ready` on the
///   admin socket, through socat), then its own /readyz check must see the server UP again.
/// - nginx (no runtime API, no active checks): the controller's upstream file says `down` and nginx
///   reloads; put back, the rendered line and another reload.
/// - An external load balancer or none: nothing to steer; its own health checks do it.
struct APIBalancer {
    let run: ApplyRun

    var host: Machine? {
        [.haproxy, .nginx].contains(run.cluster.loadBalancer.kind) ? run.cluster.loadBalancer.host : nil
    }

    /// New connections go to the other controllers.
    func takeOut(_ controller: Machine) throws {
        guard let host else { return }
        try run.wet(host.name, "take \(controller.name) out of \(run.cluster.loadBalancer.kind.rawValue)") {
            try steer(controller, on: host, serving: false)
            run.progress("  \(host.name): \(controller.name) taken out of the load balancer")
        }
    }

    /// Back in, and receiving new connections again (HAProxy: its check sees the server UP).
    func putBack(_ controller: Machine) throws {
        guard let host else { return }
        try run.wet(host.name, "put \(controller.name) back in \(run.cluster.loadBalancer.kind.rawValue)") {
            try steer(controller, on: host, serving: true)
            if run.cluster.loadBalancer.kind == .haproxy {
                try run.gate(.controlPlane, host: host.name, timeout: 30, every: 0.5,
                             fix: "look at `journalctl -u haproxy -n 30` on \(host.name) and /readyz of kube-apiserver on \(controller.name)") {
                    let status = try haproxyStatus(of: controller, on: host)
                    return status == "UP" ? nil : "HAProxy sees \(controller.name) as \(status ?? "missing"), not UP"
                }
            }
            run.progress("  \(host.name): \(controller.name) back in the load balancer")
        }
    }

    func steer(_ controller: Machine, on host: Machine, serving: Bool) throws {
        let remote = run.host(host)
        switch run.cluster.loadBalancer.kind {
        case .haproxy:
            let command = "set server \(LoadBalancerRenderer.haproxyBackend)/\(controller.name) state \(serving ? "ready" : "drain")"
            let answer = try remote.check("echo \(shellQuote(command)) | socat stdio \(LoadBalancerRenderer.haproxySocket)",
                                          step: "\(serving ? "readying" : "draining") \(controller.name) in HAProxy")
            guard answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw PhaseError(.unexpectedState, .controlPlane, host: host.name, "HAProxy refused `\(command)`: \(answer.stdout.prefix(200))",
                                 fix: "check that \(host.name) runs the rendered haproxy.cfg (`hardway apply --until loadbalancer`)")
            }
        case .nginx:
            let file = "\(LoadBalancerRenderer.nginxUpstreams)/\(controller.name).conf"
            try remote.upload([RemoteFile(path: file, mode: 0o644, contents: Data(LoadBalancerRenderer.nginxUpstream(controller, down: !serving).utf8))])
            try remote.check("systemctl reload nginx", step: "reloading nginx")
            // The new workers take new connections once the master has started them.
            Poll.sleep(seconds: 1)
        default:
            break
        }
    }

    /// HAProxy's word for a server (`UP`, `DOWN`, `DRAIN`, `MAINT`, `UP 1/2`, …), from `show stat`.
    func haproxyStatus(of controller: Machine, on host: Machine) throws -> String? {
        let stat = try run.host(host).check("echo 'show stat' | socat stdio \(LoadBalancerRenderer.haproxySocket)", step: "reading HAProxy's stats").stdout
        return Self.status(of: controller.name, backend: LoadBalancerRenderer.haproxyBackend, in: stat)
    }

    /// A server's status column of HAProxy's `show stat` CSV.
    static func status(of server: String, backend: String, in csv: String) -> String? {
        let lines = csv.split(separator: "\n")
        guard let header = lines.first, let column = header.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false).firstIndex(of: "status") else { return nil }
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            if fields.count > column, fields[0] == backend, fields[1] == server { return String(fields[column]) }
        }
        return nil
    }
}

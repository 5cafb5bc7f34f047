import Foundation
import ClusterModel

/// The API load balancer (HAProxy or nginx) on its host, installed from the host's packages when
/// missing; a changed configuration is reloaded, never restarted. Gate: listening on the endpoint.
struct LoadBalancerPhase: ApplyPhase {
    let id = Phase.loadbalancer
    let units = ["haproxy", "nginx"]

    func title(_ cluster: Cluster) -> String {
        "\(cluster.loadBalancer.kind.rawValue) on \(cluster.loadBalancer.host?.name ?? "-"), gate: listening on \(cluster.api.port)"
    }

    func program(_ cluster: Cluster) -> String { cluster.loadBalancer.kind == .nginx ? "nginx" : "haproxy" }

    func run(_ run: ApplyRun) throws -> [HostStep] {
        guard let machine = run.cluster.loadBalancer.host else {
            return [HostStep(host: "-", notes: ["loadBalancer.kind \(run.cluster.loadBalancer.kind.rawValue): nothing to run"])]
        }
        let remote = run.host(machine)
        let program = program(run.cluster)
        // HAProxy's runtime API is a unix socket: socat speaks to it when a roll takes a server out.
        let package = program == "nginx" ? "nginx-light libnginx-mod-stream" : "haproxy socat"
        let needed = program == "nginx" ? ["nginx"] : ["haproxy", "socat"]
        if !(try remote.run(needed.map { "command -v \($0) >/dev/null" }.joined(separator: " && "))).succeeded {
            try run.wet(machine.name, "install \(package) with apt-get") {
                run.progress("  \(machine.name): installing \(package)")
                try remote.check("DEBIAN_FRONTEND=noninteractive apt-get install -y -q \(package)", step: "apt-get install \(package)", timeout: 900)
            }
        }
        return [try run.startUnits(self, on: machine)]
    }

    func gate(_ run: ApplyRun, after steps: [HostStep], since started: Date) throws {
        guard let machine = run.cluster.loadBalancer.host else { return }
        let remote = run.host(machine)
        let program = program(run.cluster)
        let address = "\(machine.address):\(run.cluster.api.port)"
        try run.gate(id, host: machine.name, timeout: 15, every: 0.3, fix: "look at `journalctl -u \(program) -n 30` on \(machine.name)") {
            let active = try remote.run("systemctl is-active \(program)").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let listening = try remote.run("ss -Htln").stdout.contains(address)
            return active == "active" && listening ? nil : "\(program) is not active and listening on \(address)"
        }
        run.tell("  \(machine.name): \(program) active and listening on \(address)")
    }
}

import Foundation
import ClusterModel

/// What a host must be before anything is installed: swap off, ip_forward and br_netfilter on a
/// worker, cgroup v2 where the release's kubelet needs it, and every port a unit will listen on free
/// (or held by that very unit).
struct PreflightPhase: EveryHostPhase {
    let id = Phase.preflight

    func title(_ cluster: Cluster) -> String { "swap, br_netfilter, ip_forward, cgroups, ports" }

    func run(on machine: Machine, _ run: ApplyRun) throws -> HostStep {
        var step = HostStep(host: machine.name)
        let remote = run.host(machine)
        if machine.has(.worker) {
            try checkCgroups(machine, run)
            if try remote.run("[ \"$(tail -n +2 /proc/swaps | wc -l)\" -gt 0 ]").succeeded {
                try run.wet(machine.name, "turn swap off") { try remote.check("swapoff -a", step: "turning swap off") }
            }
            if try remote.run("[ \"$(cat /proc/sys/net/ipv4/ip_forward)\" = 1 ]").succeeded == false {
                try run.wet(machine.name, "enable ip_forward") { try remote.check("sysctl -q -w net.ipv4.ip_forward=1", step: "enabling ip_forward") }
            }
            let bridgeSetting = "test -e /proc/sys/net/bridge/bridge-nf-call-iptables"
            if try remote.run(bridgeSetting).succeeded == false {
                try run.wet(machine.name, "load br_netfilter") {
                    guard try remote.run("modprobe br_netfilter 2>/dev/null; \(bridgeSetting)").succeeded == false else { return }
                    if run.phases.contains(.workers) {
                        throw PhaseError(.unsuitableHost, .preflight, host: machine.name, "br_netfilter is not loaded and cannot be loaded here",
                                         fix: "load it on the machine's kernel (`modprobe br_netfilter`; on a lab box, on the box itself)")
                    }
                    step.notes.append("br_netfilter not loaded (needed by the workers phase)")
                }
            }
        }
        try checkPorts(machine, run)
        return step
    }

    /// From 1.35 the kubelet will not start on a cgroup v1 host (its `failCgroupV1` defaults to true):
    /// such a worker is refused here, before any file reaches it. A hybrid host (v1 controllers, v2 only
    /// at /sys/fs/cgroup/unified) is v1 to the kubelet, which looks at /sys/fs/cgroup itself.
    func checkCgroups(_ machine: Machine, _ run: ApplyRun) throws {
        let version = run.cluster.kubernetesVersion
        guard run.cluster.pairing?.kubeletNeedsCgroupV2 == true else { return }
        let filesystem = try run.host(machine).check("stat -fc %T /sys/fs/cgroup", step: "reading the cgroup filesystem")
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard filesystem != "cgroup2fs" else { return }
        throw PhaseError(.unsuitableHost, .preflight, host: machine.name,
                         "\(machine.name) runs cgroup v1 (/sys/fs/cgroup is \(filesystem.isEmpty ? "not cgroup2fs" : filesystem)), and the kubelet of Kubernetes \(version) refuses to start on cgroup v1",
                         fix: "boot \(machine.name) with cgroup v2 only (systemd.unified_cgroup_hierarchy=1 on its kernel command line; Debian 11 and later do so by default), or set kubernetesVersion to v1.34 or older, whose kubelet still runs on cgroup v1")
    }

    /// Ports: free, or already held by the unit hardway runs there.
    func checkPorts(_ machine: Machine, _ run: ApplyRun) throws {
        let cluster = run.cluster
        var wanted: [(Int, String)] = []
        if cluster.etcdMembers.contains(where: { $0.name == machine.name }) { wanted += [(2379, "etcd"), (2380, "etcd")] }
        if cluster.loadBalancer.host?.name == machine.name { wanted.append((cluster.api.port, cluster.loadBalancer.kind.rawValue)) }
        if machine.has(.controller), run.phases.contains(.controlPlane) {
            wanted += [(6443, "kube-apiserver"), (10257, "kube-controller-manager"), (10259, "kube-scheduler")]
        }
        if machine.has(.worker), run.phases.contains(.workers) { wanted += [(10250, "kubelet"), (10256, "kube-proxy")] }
        guard !wanted.isEmpty else { return }
        let remote = run.host(machine)
        let listening = try remote.check("ss -Htln", step: "listing listening ports").stdout
        let active = try remote.run("for u in \(Set(wanted.map(\.1)).sorted().joined(separator: " ")); do systemctl is-active --quiet $u && echo $u; done").stdout
        let ours = Set(active.split(separator: "\n").map(String.init))
        for (port, unit) in wanted where !ours.contains(unit) {
            let taken = listening.split(separator: "\n").contains { line in
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                return fields.count > 3 && fields[3].hasSuffix(":\(port)")
            }
            if taken {
                throw PhaseError(.portTaken, .preflight, host: machine.name, "port \(port) (for \(unit)) is taken by another program",
                                 fix: "see `ss -ltnp 'sport = :\(port)'` on \(machine.name) and stop that program")
            }
        }
    }
}

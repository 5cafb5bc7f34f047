import Foundation

/// What a lab machine needs so that containerd, runc, the kubelet and kube-proxy run in it as on a
/// VM, each with the error it clears (all seen on a Debian 12 box with cgroup v1, containerd 1.6 and
/// Kubernetes v1.20). None of it changes a rendered file: the machine is made to look like a VM, and
/// where that cannot be done (kube-proxy and the box's conntrack table) a drop-in that `lab up` writes
/// into the machine says what differs and why; `hardway plan` and `apply` show it.
public enum LabNodeSupport {
    public struct Adjustment: Sendable, Equatable {
        public var what: String
        public var why: String
    }

    /// For `lab up --help`, the README and the tests: each adjustment and the error without it.
    public static let adjustments: [Adjustment] = [
        Adjustment(what: "the machine in a hardway/<cluster>/<host> group of every cgroup v1 controller (cpuset.cpus/mems copied down)",
                   why: "else the kubelet makes kubepods.slice at the box's top level, shared by every worker and left after lab down"),
        Adjustment(what: "the v1 controllers remounted read-write inside the machine (hardway-lab-cgroups.service)",
                   why: "`mkdir /sys/fs/cgroup/cpuset/kubepods.slice: read-only file system`: nspawn mounts them read-only"),
        Adjustment(what: "a box directory bound onto /var/lib/containerd",
                   why: "`overlay: filesystem on …/work not supported as upperdir`: containerd's overlayfs cannot nest on the machine's overlay root"),
        Adjustment(what: "/dev/kmsg bound read-only", why: "`open /dev/kmsg: no such file or directory` from the kubelet's OOM watcher"),
        Adjustment(what: "files holding the kubelet's values bound over /proc/sys/{vm/overcommit_memory,vm/panic_on_oom,kernel/panic,kernel/panic_on_oops,kernel/keys/root_maxkeys,kernel/keys/root_maxbytes}",
                   why: "`Failed to start ContainerManager [open /proc/sys/vm/overcommit_memory: read-only file system …]`; a machine never changes the box's kernel settings"),
        Adjustment(what: "nspawn's system call filter allows @keyring",
                   why: "runc: `unable to join session keyring: … operation not permitted`"),
        Adjustment(what: "169.254.169.254 unreachable (a route of type unreachable)",
                   why: "the kubelet's AWS credential provider asks the metadata address at start and waits 6 s for an answer no machine here gives"),
        Adjustment(what: "kube-proxy drop-in: the rendered configuration plus conntrack.maxPerCore: 0",
                   why: "`open /proc/sys/net/netfilter/nf_conntrack_max: permission denied`: the conntrack table belongs to the box's kernel"),
    ]

    static let sysctlDirectory = "/etc/hardway-lab/sysctl"

    /// What the kubelet's ContainerManager sets unless it is already so (setupKernelTunables).
    static let kubeletSysctls: [(key: String, value: Int)] = [
        ("vm.overcommit_memory", 1), ("vm.panic_on_oom", 0), ("kernel.panic", 10), ("kernel.panic_on_oops", 1),
        ("kernel.keys.root_maxkeys", 1_000_000), ("kernel.keys.root_maxbytes", 25_000_000),
    ]

    static let cgroupsUnit = """
        # written by hardway lab up: the cgroup v1 controllers read-write inside this machine. Its cgroup
        # namespace shows only the machine's own group (hardway/<cluster>/<host>), which the kubelet and
        # runc must write; nspawn mounts them read-only.
        [Unit]
        Description=cgroup v1 controllers writable inside the machine (hardway lab)
        DefaultDependencies=no
        Before=sysinit.target

        [Service]
        Type=oneshot
        RemainAfterExit=yes
        ExecStart=/bin/sh -c 'findmnt -rn -t cgroup -o TARGET | while read -r d; do mount -o remount,bind,rw "$d"; done'

        [Install]
        WantedBy=sysinit.target

        """

    /// The first line is what `hardway plan` and `apply` show for the host.
    public static let dropInMarker = "# hardway-lab: "
    static let kubeProxyDropIn = """
        \(dropInMarker)kube-proxy runs with the rendered configuration plus conntrack.maxPerCore: 0 (this machine shares the box's kernel, whose nf_conntrack_max it may not set)
        # Written by hardway lab up; a real VM runs the rendered file as it is. The rendered file stays at
        # its path; kube-proxy sees a copy with one setting added, bound over it for this service only
        # ("-": the copy does not exist yet while ExecStartPre makes it). The copy is made from the file
        # as PID 1 sees it and renamed into place: this service's own view of the path is the copy.
        [Service]
        ExecStartPre=+/bin/sh -c 'mkdir -p /run/hardway-lab && { cat /proc/1/root/var/lib/kube-proxy/kube-proxy-config.yaml; printf "conntrack:\\n  maxPerCore: 0\\n"; } > /run/hardway-lab/kube-proxy-config.yaml.new && mv /run/hardway-lab/kube-proxy-config.yaml.new /run/hardway-lab/kube-proxy-config.yaml'
        BindReadOnlyPaths=-/run/hardway-lab/kube-proxy-config.yaml:/var/lib/kube-proxy/kube-proxy-config.yaml

        """

    /// The files a machine gets in its root (before it boots, and again when a later hardway changed
    /// them); true when any file changed.
    @discardableResult
    static func write(into root: String) throws -> Bool {
        let fm = FileManager.default
        var changed = false
        func put(_ text: String, _ path: String) throws {
            let full = root + path
            guard (try? String(contentsOfFile: full, encoding: .utf8)) != text else { return }
            try fm.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: false, encoding: .utf8)
            changed = true
        }
        for (key, value) in kubeletSysctls { try put("\(value)\n", "\(sysctlDirectory)/\(key)") }
        let units = "/etc/systemd/system"
        try put(cgroupsUnit, "\(units)/hardway-lab-cgroups.service")
        let link = "\(root)\(units)/sysinit.target.wants/hardway-lab-cgroups.service"
        if (try? fm.destinationOfSymbolicLink(atPath: link)) == nil {
            try fm.createDirectory(atPath: (link as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fm.createSymbolicLink(atPath: link, withDestinationPath: "../hardway-lab-cgroups.service")
            changed = true
        }
        try put(kubeProxyDropIn, "\(units)/kube-proxy.service.d/hardway-lab.conf")
        return changed
    }

    /// systemd-nspawn's arguments for them. Binds onto /proc take their source inside the machine's
    /// root, hence the files under /etc/hardway-lab.
    static func nspawnArguments(machineDirectory: String) -> [String] {
        ["--bind=\(machineDirectory)/containerd:/var/lib/containerd", "--bind-ro=/dev/kmsg", "--system-call-filter=@keyring"]
            + kubeletSysctls.map { "--bind-ro=\(sysctlDirectory)/\($0.key):/proc/sys/\($0.key.replacingOccurrences(of: ".", with: "/"))" }
    }
}

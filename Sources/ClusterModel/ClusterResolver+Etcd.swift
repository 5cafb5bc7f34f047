/// The etcd members: the named ones, the hosts with the etcd role, or the controllers.
extension ClusterResolver.Context {
    mutating func resolveEtcd(hosts: [Machine], controllers: [Machine], allNamed: Bool) -> [Machine] {
        var members: [Machine] = []
        if let names = spec.etcd?.hosts {
            if names.isEmpty {
                error("missing-field", "etcd.hosts", "empty: etcd needs at least one member", fix: "remove etcd.hosts to run etcd on every controller, or list 3 hosts")
            }
            for (index, name) in names.enumerated() {
                let path = "etcd.hosts[\(index)]"
                if members.contains(where: { $0.name == name }) {
                    error("duplicate-host-name", path, "\"\(name)\" is listed twice", fix: "list each etcd member once")
                } else if let host = hosts.first(where: { $0.name == name }) {
                    members.append(host)
                } else if spec.hosts?.contains(where: { $0.name == name }) != true {
                    let known = hosts.map(\.name).joined(separator: ", ")
                    error("missing-host", path, "there is no host named \"\(name)\"", fix: known.isEmpty ? "add it to hosts" : "use one of: \(known)")
                }
            }
            for host in hosts where host.has(.etcd) && !names.contains(host.name) {
                warning("unused-role", "etcd.hosts", "\(host.name) has the etcd role but is not in etcd.hosts: it will not run etcd",
                        fix: "add \(host.name) to etcd.hosts, or remove the role")
            }
        } else {
            let dedicated = hosts.filter { $0.has(.etcd) }
            members = dedicated.isEmpty ? controllers : dedicated
        }
        if allNamed, members.count % 2 == 0, !members.isEmpty {
            let path = spec.etcd?.hosts == nil ? "hosts" : "etcd.hosts"
            let tolerated = (members.count - 1) / 2
            let message = members.count == 2
                ? "2 etcd members tolerate no failure: losing either one stops the cluster, so this is not highly available"
                : "\(members.count) etcd members tolerate \(tolerated) failure\(tolerated == 1 ? "" : "s"), no more than \(members.count - 1) do, with more members to keep in sync"
            warning("even-etcd-members", path, message, fix: "use an odd number of etcd members: 3 tolerate one failure, 5 tolerate two")
        }
        return members
    }
}

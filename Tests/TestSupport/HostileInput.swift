import ClusterModel

/// Cluster files written to make hardway run something: shell syntax (`$()`, backticks, `;`, `|`,
/// newlines), a leading `-` that ssh would read as an option, ssh's own `%` tokens — in every ssh
/// field, in names and in addresses. `validate` must refuse each at its field path; none may reach a
/// command.
public enum HostileInput {
    public static let corpus: [BadInput] = {
        func ssh(_ name: String, _ yaml: String, at path: String) -> BadInput {
            BadInput.replace(name, "pki:", "ssh:\n  \(yaml)\npki:", .error, "invalid-value", at: path)
        }
        return [
            ssh("user runs a command substitution", "user: '$(id>/tmp/pwned)'", at: "ssh.user"),
            ssh("user runs backticks", "user: '`id`'", at: "ssh.user"),
            ssh("user chains a command", "user: 'root;id'", at: "ssh.user"),
            ssh("user pipes", "user: 'root|id'", at: "ssh.user"),
            ssh("user holds a newline", "user: \"root\\nid\"", at: "ssh.user"),
            ssh("user is an ssh option", "user: '-oProxyCommand=id'", at: "ssh.user"),
            ssh("user holds ssh tokens", "user: '%h'", at: "ssh.user"),
            ssh("bastion runs a command substitution", "bastion: 'me@$(id>/tmp/pwned)jump'", at: "ssh.bastion"),
            ssh("bastion runs backticks", "bastion: 'me@`id`'", at: "ssh.bastion"),
            ssh("bastion chains a command", "bastion: 'jump;id'", at: "ssh.bastion"),
            ssh("bastion pipes", "bastion: 'jump|id'", at: "ssh.bastion"),
            ssh("bastion holds a newline", "bastion: \"jump\\nid\"", at: "ssh.bastion"),
            ssh("bastion is an ssh option", "bastion: '-oProxyCommand=id'", at: "ssh.bastion"),
            ssh("bastion holds ssh tokens", "bastion: '%r@jump'", at: "ssh.bastion"),
            ssh("bastion's user is an option", "bastion: '-J@jump'", at: "ssh.bastion"),
            ssh("bastion's port chains a command", "bastion: 'me@jump:22;id'", at: "ssh.bastion"),
            ssh("identity file holds a newline", "identityFile: \"/root/.ssh/id\\nid\"", at: "ssh.identityFile"),
            ssh("identity file holds ssh tokens", "identityFile: '%d/.ssh/id_%r'", at: "ssh.identityFile"),
            ssh("identity file holds a terminal escape", "identityFile: \"/root/\\e[2Jid\"", at: "ssh.identityFile"),
            ssh("identity file is an ssh option", "identityFile: '-oProxyCommand=id'", at: "ssh.identityFile"),
            BadInput.replace("host name runs a command substitution", "name: master-1,", "name: '$(id)',", .error, "invalid-host-name", at: "hosts[2].name"),
            BadInput.replace("host name is an option", "name: master-1,", "name: '-rf',", .error, "invalid-host-name", at: "hosts[2].name"),
            BadInput.replace("host address chains a command", "address: 10.240.0.11", "address: '10.240.0.11;id'", .error, "invalid-ip", at: "hosts[2].address"),
            BadInput.replace("ssh address runs a command substitution", "address: 10.240.0.11,", "address: 10.240.0.11, sshAddress: '$(id)',", .error, "invalid-address", at: "hosts[2].sshAddress"),
            BadInput.replace("ssh address is an ssh option", "address: 10.240.0.11,", "address: 10.240.0.11, sshAddress: '-oProxyCommand=id',", .error, "invalid-address", at: "hosts[2].sshAddress"),
            BadInput.replace("cluster name chains a command", "name: test", "name: 'test;id'", .error, "invalid-name", at: "name"),
            BadInput.replace("API endpoint runs backticks", "endpoint: 10.240.0.5", "endpoint: '`id`'", .error, "invalid-endpoint", at: "api.endpoint"),
            BadInput.replace("extra SAN pipes", "extraSANs: [k8s.example.com]", "extraSANs: ['a|id']", .error, "invalid-san", at: "api.extraSANs[0]"),
            BadInput.replace("binaries directory holds a newline", "pki:", "binaries: { dir: \"/srv/bin\\nid\" }\npki:", .error, "invalid-value", at: "binaries.dir"),
        ]
    }()
}

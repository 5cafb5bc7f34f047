import Foundation
import ClusterModel

/// The API load balancer on its own host: TCP only (TLS goes end to end from the client to an API
/// server, so the balancer holds no key), round robin over every controller. A connection that
/// cannot reach its backend is retried on another one, so a stopped controller costs clients
/// nothing. HAProxy asks each API server's /readyz over TLS (the server's certificate checked
/// against the cluster CA): a backend is taken out after 3 failed checks and back after 2 good
/// ones, so one still starting gets nothing; a server changing state, or down, is asked more often
/// (fastinter, downinter), so one that restarted is back within about a second of being ready. nginx has no active checks; each upstream server is a
/// file of its own, so apply can mark one `down` while its API server restarts.
public enum LoadBalancerRenderer {
    static let haproxyConfig = "/etc/haproxy/haproxy.cfg"
    /// The cluster CA, against which HAProxy checks the API servers it asks /readyz.
    public static let haproxyCA = "/etc/haproxy/kubernetes-ca.pem"
    /// HAProxy's backend of API servers; each server is named after its controller.
    public static let haproxyBackend = "kube-apiservers"
    /// HAProxy's runtime API (a unix socket on the load balancer's host).
    public static let haproxySocket = "/run/haproxy/admin.sock"
    static let nginxConfig = "/etc/nginx/nginx.conf"
    /// `<dir>/<controller>.conf`: one upstream `server` line per controller.
    public static let nginxUpstreams = "/etc/nginx/hardway-apiservers"

    /// HAProxy's check of each API server's /readyz: every `interval` seconds while it is UP, every
    /// `fastInterval` ms once a check failed, DOWN after `fall` failed checks in a row.
    public static let haproxyCheck = (interval: 2, fastInterval: 500, fall: 3)

    /// The longest HAProxy takes, from an API server's first failing /readyz, to send it no new
    /// connection: the next check, then the `fall - 1` faster ones after it (3 s).
    public static var haproxyTakesOutSeconds: Double {
        Double(haproxyCheck.interval) + Double(haproxyCheck.fall - 1) * Double(haproxyCheck.fastInterval) / 1000
    }

    /// A controller's nginx upstream line; `down` while its API server restarts.
    public static func nginxUpstream(_ controller: Machine, down: Bool = false) -> String {
        "server \(controller.address):\(ClusterResolver.apiServerSecurePort)" + (down ? " down" : " max_fails=3 fail_timeout=10s") + ";\n"
    }

    static func bindAddress(_ cluster: Cluster, host: Machine) -> String {
        "\(host.address):\(cluster.api.port)"
    }

    static func haproxy(_ cluster: Cluster, host: Machine) -> String {
        var text = """
        # written by hardway: the Kubernetes API load balancer of \(cluster.name)
        global
          log /dev/log local0
          chroot /var/lib/haproxy
          stats socket /run/haproxy/admin.sock mode 660 level admin expose-fd listeners
          user haproxy
          group haproxy
          maxconn 4096

        defaults
          mode tcp
          log global
          option tcplog
          option redispatch
          retries 3
          timeout connect 5s
          timeout client 1h
          timeout server 1h
          timeout check 5s

        frontend kubernetes-api
          bind \(bindAddress(cluster, host: host))
          default_backend kube-apiservers

        backend \(haproxyBackend)
          balance roundrobin
          option httpchk GET /readyz
          http-check expect status 200
          default-server inter \(haproxyCheck.interval)s fastinter \(haproxyCheck.fastInterval)ms downinter 1s fall \(haproxyCheck.fall) rise 2 check-ssl verify required ca-file \(haproxyCA)

        """
        for controller in cluster.controllers {
            text += "  server \(controller.name) \(controller.address):\(ClusterResolver.apiServerSecurePort) check\n"
        }
        return text
    }

    static func nginx(_ cluster: Cluster, host: Machine) -> String {
        var text = """
        # written by hardway: the Kubernetes API load balancer of \(cluster.name)
        user www-data;
        worker_processes auto;
        pid /run/nginx.pid;
        include /etc/nginx/modules-enabled/*.conf;

        events {
          worker_connections 1024;
        }

        stream {
          upstream kube_apiservers {
            # one file per controller (relative: beside this file), so a roll can mark one down
            include \((nginxUpstreams as NSString).lastPathComponent)/*.conf;
          }

          server {
            listen \(bindAddress(cluster, host: host));
            proxy_pass kube_apiservers;
            proxy_connect_timeout 5s;
            proxy_timeout 1h;
            proxy_next_upstream on;
            proxy_next_upstream_tries 3;
          }
        }

        """
        return text
    }

    static func add(_ context: ClusterContext, host: Machine, to files: inout FileSet) throws {
        switch context.cluster.loadBalancer.kind {
        case .haproxy:
            try files.add(haproxyConfig, haproxy(context.cluster, host: host), units: ["haproxy"])
            try files.add(haproxyCA, try context.pki.trust("ca"), units: ["haproxy"])
        case .nginx:
            try files.add(nginxConfig, nginx(context.cluster, host: host), units: ["nginx"])
            for controller in context.cluster.controllers {
                try files.add("\(nginxUpstreams)/\(controller.name).conf", nginxUpstream(controller), units: ["nginx"])
            }
        case .external, .none:
            break
        }
    }
}

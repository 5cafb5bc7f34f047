import ClusterModel

/// The API load balancer on its own host: TCP only (TLS goes end to end from the client to an API
/// server, so the balancer holds no key), round robin over every controller, a backend taken out
/// after 3 failed checks and back after 2 good ones. A connection that cannot reach its backend
/// is retried on another one, so a stopped controller costs clients nothing.
enum LoadBalancerRenderer {
    static let haproxyConfig = "/etc/haproxy/haproxy.cfg"
    static let nginxConfig = "/etc/nginx/nginx.conf"

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

        backend kube-apiservers
          balance roundrobin
          default-server inter 2s fall 3 rise 2

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

        """
        for controller in cluster.controllers {
            text += "    server \(controller.address):\(ClusterResolver.apiServerSecurePort) max_fails=3 fail_timeout=10s;\n"
        }
        text += """
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
        case .nginx:
            try files.add(nginxConfig, nginx(context.cluster, host: host), units: ["nginx"])
        case .external, .none:
            break
        }
    }
}

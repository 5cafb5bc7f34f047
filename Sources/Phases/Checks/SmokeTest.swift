import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ClusterModel
import Remote
import Shell

/// The tutorials' smoke test, done for the user and cleaned up after: a Deployment of the workload
/// image with one pod on each worker, then each thing a cluster must do for its pods — exec, logs,
/// pod to pod across workers (the pod routes), a ClusterIP Service from a pod (kube-proxy), a
/// NodePort from this box, port-forward (the API server reaching the kubelets with its
/// kubelet-client certificate through the rendered RBAC). One row per test.
public struct SmokeTest: LiveClusterWork, Sendable {
    public static let namespace = "hardway-smoke"
    public let live: LiveCluster
    /// The workload image (busybox with its applets), imported from the binaries directory's images/.
    public let image: String
    public var timeout: TimeInterval = 120

    public init(cluster: Cluster, hosts: [String: any RemoteHost], image: String, progress: @escaping @Sendable (String) -> Void) {
        self.live = LiveCluster(cluster: cluster, hosts: hosts, progress: progress)
        self.image = image
    }

    static let kubectl = NodeCommands.kubectl + " -n \(namespace)"

    struct Pod {
        var name: String
        var node: String
        var ip: String
    }

    /// The Deployment and Service, as `kubectl apply` reads them. (busybox 1.35's `wget -T` crashes:
    /// the checks bound wget with `timeout` instead.)
    static func manifest(image: String, replicas: Int) -> String {
        """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: \(namespace)
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: smoke
          namespace: \(namespace)
        spec:
          replicas: \(replicas)
          selector:
            matchLabels: { app: smoke }
          template:
            metadata:
              labels: { app: smoke }
            spec:
              affinity:
                podAntiAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    - labelSelector: { matchLabels: { app: smoke } }
                      topologyKey: kubernetes.io/hostname
              terminationGracePeriodSeconds: 1
              containers:
                - name: web
                  image: \(image)
                  imagePullPolicy: IfNotPresent
                  command: ["sh", "-c", "echo hardway smoke on $(hostname); exec httpd -f -p 8080 -h /www"]
                  ports: [{ containerPort: 8080 }]
                  readinessProbe:
                    tcpSocket: { port: 8080 }
                    periodSeconds: 1
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: smoke
          namespace: \(namespace)
        spec:
          type: NodePort
          selector: { app: smoke }
          ports: [{ port: 80, targetPort: 8080 }]

        """
    }

    public func run() -> [CheckRow] {
        guard let first = cluster.controllers.first, let api = hosts[first.name] else {
            return [row("setup", .failed, "the cluster file has no controller to run kubectl on")]
        }
        let workers = cluster.workers
        guard !workers.isEmpty else { return [row("setup", .failed, "the cluster file has no worker to run pods on")] }
        var rows: [CheckRow] = []
        defer { cleanUp(api, wait: false) }
        cleanUp(api)

        // 1. One pod on each worker, ready.
        progress("  smoke: a Deployment of \(image) with a pod on each of \(workers.count) workers")
        do {
            try api.check("\(NodeCommands.kubectl) apply -f -", input: Self.manifest(image: image, replicas: workers.count), step: "kubectl apply the smoke test")
        } catch {
            return [row("deployment", .failed, "\(error)")]
        }
        let started = Date()
        var last = ""
        let pods: [Pod] = Poll.until(timeout: timeout, every: 0.5) {
            let json = (try? api.run("\(Self.kubectl) get pods -l app=smoke -o json"))?.stdout ?? ""
            let ready = Self.readyPods(json)
            if ready.count == workers.count, Set(ready.map(\.node)).count == workers.count { return ready }
            last = KubernetesReadings.imagePullFailure(json) ?? "\(ready.count)/\(workers.count) pods ready"
            return nil
        } ?? []
        guard !pods.isEmpty else {
            return [row("deployment", .failed, "no pod on every worker after \(Int(timeout)) s (\(last)); see `kubectl -n \(Self.namespace) describe pods` on \(first.name)")]
        }
        rows.append(row("deployment", .ok, String(format: "%d pods ready in %.0f s: %@", pods.count, Date().timeIntervalSince(started),
                                                    pods.map { "\($0.node) \($0.ip)" }.joined(separator: ", "))))

        // The rest asks independent things of the running pods: at once.
        let parts: [@Sendable (any RemoteHost, [Pod], Machine) -> [CheckRow]] = [execAndLogs, podToPod, service, portForward]
        rows += parallel(parts, limit: parts.count) { part in part(api, pods, first) }.flatMap { $0 }
        return rows
    }

    /// exec and logs: the API server reaching each kubelet.
    func execAndLogs(_ api: any RemoteHost, _ pods: [Pod], on first: Machine) -> [CheckRow] {
        var rows: [CheckRow] = []
        // 2. exec and logs: the API server reaching each kubelet.
        let exec = (try? api.run("\(Self.kubectl) exec \(pods[0].name) -- hostname"))
        rows.append(exec?.succeeded == true && exec?.stdout.hasPrefix(pods[0].name) == true
            ? row("kubectl exec", .ok, "ran hostname in \(pods[0].name) on \(pods[0].node)")
            : row("kubectl exec", .failed, "\(exec?.tail ?? "no answer"): the API server must reach the kubelet on \(pods[0].node):10250 with its kubelet-client certificate (rbac phase)"))
        let logs = (try? api.run("\(Self.kubectl) logs \(pods[0].name)"))
        rows.append(logs?.stdout.contains("hardway smoke on \(pods[0].name)") == true
            ? row("kubectl logs", .ok, "read \(pods[0].name)'s log from \(pods[0].node)")
            : row("kubectl logs", .failed, "\(logs?.tail ?? "no answer"): the API server must reach the kubelet on \(pods[0].node)"))
        return rows
    }

    /// Pod to pod, across workers.
    func podToPod(_ api: any RemoteHost, _ pods: [Pod], on first: Machine) -> [CheckRow] {
        var rows: [CheckRow] = []
        // 3. Pod to pod, across workers.
        for pod in pods {
            let others = pods.filter { $0.node != pod.node }
            guard !others.isEmpty else { continue }
            let script = others.map { "timeout 5 wget -q -O - http://\($0.ip):8080/ >/dev/null && echo '\($0.node) ok' || echo '\($0.node) lost'" }.joined(separator: "; ")
            let output = (try? api.run("\(Self.kubectl) exec \(pod.name) -- sh -c \(shellQuote(script))"))?.stdout ?? ""
            let lost = others.filter { !output.contains("\($0.node) ok") }.map(\.node)
            rows.append(lost.isEmpty
                ? row("pod to pod", .ok, "\(pod.node)'s pod reaches the pods on \(others.map(\.node).joined(separator: ", "))", subject: pod.node)
                : row("pod to pod", .failed, "\(pod.node)'s pod cannot reach the pods on \(lost.joined(separator: ", ")): check the pod routes (`ip route` on each node) and the CNI bridge", subject: pod.node))
        }
        return rows
    }

    /// The Service: its cluster IP from a pod (kube-proxy's rules), its node port from this box.
    func service(_ api: any RemoteHost, _ pods: [Pod], on first: Machine) -> [CheckRow] {
        var rows: [CheckRow] = []
        // 4. The Service: its cluster IP from a pod (kube-proxy's rules), its node port from this box.
        let service = (try? api.run("\(Self.kubectl) get service smoke -o jsonpath='{.spec.clusterIP} {.spec.ports[0].nodePort}'"))?.stdout
            .split(separator: " ").map(String.init) ?? []
        if service.count == 2 {
            var answer = ""
            let reached = Self.poll(20) {
                answer = (try? api.run("\(Self.kubectl) exec \(pods[0].name) -- timeout 5 wget -q -O - http://\(service[0])/"))?.stdout ?? ""
                return answer.hasPrefix("hardway")
            }
            rows.append(reached ? row("service", .ok, "http://\(service[0]) (ClusterIP) answers from \(pods[0].name)")
                                : row("service", .failed, "http://\(service[0]) does not answer from a pod: check kube-proxy (`journalctl -u kube-proxy`) and br_netfilter on the workers"))
            for worker in cluster.workers {
                let url = "http://\(worker.address):\(service[1])/"
                let reachedNode = Self.poll(20) { Self.httpGet(url)?.hasPrefix("hardway") == true }
                rows.append(reachedNode ? row("node port", .ok, "\(url) answers from this box", subject: worker.name)
                                        : row("node port", .failed, "\(url) does not answer from this box: check kube-proxy on \(worker.name)", subject: worker.name))
            }
        } else {
            rows.append(row("service", .failed, "the smoke Service has no cluster IP and node port"))
        }
        return rows
    }

    /// port-forward, on the controller.
    func portForward(_ api: any RemoteHost, _ pods: [Pod], on first: Machine) -> [CheckRow] {
        var rows: [CheckRow] = []
        // 5. port-forward, on the controller.
        let port = 18_000 + Int.random(in: 0..<1000)
        // Its log in a file of its own (mktemp: 0600, a name no one can guess), removed after.
        let forward = """
        log=$(mktemp) || exit 1
        \(NodeCommands.kubectlStreaming) -n \(Self.namespace) port-forward \(shellQuote("pod/" + pods[0].name)) \(port):8080 >"$log" 2>&1 & pid=$!
        for i in $(seq 50); do if curl -fsS --max-time 2 http://127.0.0.1:\(port)/ 2>/dev/null; then kill $pid; rm -f "$log"; exit 0; fi; sleep 0.2; done
        kill $pid; cat "$log"; rm -f "$log"; exit 1
        """
        let forwarded = try? api.run(forward)
        rows.append(forwarded?.succeeded == true && forwarded?.stdout.hasPrefix("hardway") == true
            ? row("port-forward", .ok, "127.0.0.1:\(port) on \(first.name) reaches \(pods[0].name)")
            : row("port-forward", .failed, "\(forwarded?.tail ?? "no answer"): the API server must reach the kubelet on \(pods[0].node)"))
        return rows
    }

    func row(_ subject: String, _ state: CheckRow.State, _ detail: String, subject extra: String? = nil) -> CheckRow {
        CheckRow(area: "smoke", subject: extra.map { "\(subject) \($0)" } ?? subject, state: state, detail: detail)
    }

    /// Deletes the namespace and everything in it; before a run, waits until it is gone.
    func cleanUp(_ api: any RemoteHost, wait: Bool = true) {
        _ = try? api.run("\(NodeCommands.kubectl) delete namespace \(Self.namespace) --ignore-not-found " + (wait ? "--timeout=90s" : "--wait=false"))
    }

    /// Running, ready pods with their node and address, from `kubectl get pods -o json`.
    static func readyPods(_ json: String) -> [Pod] {
        guard let list = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [] }
        return (list["items"] as? [[String: Any]] ?? []).compactMap { item in
            let metadata = item["metadata"] as? [String: Any] ?? [:]
            let spec = item["spec"] as? [String: Any] ?? [:]
            let status = item["status"] as? [String: Any] ?? [:]
            let ready = (status["conditions"] as? [[String: Any]] ?? []).contains { $0["type"] as? String == "Ready" && $0["status"] as? String == "True" }
            guard ready, metadata["deletionTimestamp"] == nil, let name = metadata["name"] as? String, let node = spec["nodeName"] as? String,
                  let ip = status["podIP"] as? String else { return nil }
            return Pod(name: name, node: node, ip: ip)
        }
    }

    static func poll(_ seconds: TimeInterval, _ condition: () -> Bool) -> Bool {
        Poll.until(timeout: seconds, every: 0.5) { condition() ? true : nil } ?? false
    }

    /// A plain HTTP GET from this box, or nil when nothing answers within 3 s.
    static func httpGet(_ url: String) -> String? {
        guard let address = URL(string: url) else { return nil }
        // curl, bounded, rather than URLSession: its callback would fill a result no lock guards.
        let result = try? Exec.run("curl", ["-sS", "--fail", "--max-time", "3", "--", address.absoluteString])
        return result?.succeeded == true ? result?.stdout : nil
    }
}

import Foundation

/// A probe run again and again from this box on a thread of its own until stopped, counting the
/// tries and the failures (with when they happened): what the lab tests hold a cluster to while
/// apply changes it under them.
final class ProbeLoop: @unchecked Sendable {
    /// nil when the try passed, else what went wrong.
    let probe: @Sendable () -> String?
    let pause: TimeInterval
    private let lock = NSLock()
    private var running = false
    private let finished = DispatchSemaphore(value: 0)
    private var sent = 0, failed = 0
    private var failures: [String] = []
    private let started = Date()

    init(every pause: TimeInterval, _ probe: @escaping @Sendable () -> String?) {
        self.pause = pause
        self.probe = probe
    }

    func start() {
        lock.lock(); running = true; lock.unlock()
        Thread.detachNewThread { [self] in
            while true {
                lock.lock(); let go = running; lock.unlock()
                guard go else { break }
                let problem = probe()
                lock.lock()
                sent += 1
                if let problem {
                    failed += 1
                    failures.append(String(format: "%.1f s: %@", Date().timeIntervalSince(started), problem))
                }
                lock.unlock()
                usleep(UInt32(pause * 1_000_000))
            }
            finished.signal()
        }
    }

    func figures() -> String {
        lock.lock(); defer { lock.unlock() }
        return "\(sent) sent, \(failed) failed"
    }

    /// Stops it (once; again is harmless) and gives the counts and every failure.
    func stop() -> (sent: Int, failed: Int, failures: [String]) {
        lock.lock()
        let wasRunning = running
        running = false
        lock.unlock()
        if wasRunning { finished.wait() }
        lock.lock(); defer { lock.unlock() }
        return (sent, failed, failures)
    }

    /// GETs of `url` through the API endpoint, one connection each, with the admin certificate and
    /// the API server's name verified; a try passes on HTTP 200.
    static func endpointReads(url: String, pki: String) -> ProbeLoop {
        let curl = (try? Program.tool("curl")) ?? "/usr/bin/curl"
        let arguments = ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", "--cacert", "\(pki)/ca.pem",
                         "--cert", "\(pki)/admin.pem", "--key", "\(pki)/admin-key.pem", url]
        return ProbeLoop(every: 0.1) {
            let result = try? Program.run(curl, arguments, in: "/")
            return result?.stdout == "200" ? nil : "\(result?.stdout ?? "") \(result?.stderr ?? "")"
        }
    }

    /// Whether quorum reads held while etcd's members restarted under them: quorum never lost, and at
    /// most 3 reads failed, each with the one error a member gives a call it cuts as it stops. An
    /// etcd 3.4 member stopping over TLS ends its in-flight gRPC calls (`missing content-type field`,
    /// code Unknown, which etcd's client retries for no RPC; a CI run saw 1 in 372 reads); a
    /// `leader changed` is retried by etcdctl itself and so must not show here.
    static func quorumHeld(_ reads: (sent: Int, failed: Int, failures: [String])) -> Bool {
        reads.sent > 10 && reads.failed <= 3 && reads.failures.allSatisfy { $0.contains("transport: missing content-type field") }
    }

    /// Linearizable etcd reads (each needs a quorum) against `endpoints`, trying each client
    /// certificate in turn; a try passes when one of them reads the default namespace.
    static func quorumReads(endpoints: String, trust: String, clients: [String], directory: String) -> ProbeLoop {
        let etcdctl = (try? Program.tool("etcdctl")) ?? "/usr/bin/etcdctl"
        return ProbeLoop(every: 0.1) {
            var error = "etcdctl did not run"
            for client in clients {
                let run = try? Program.run(etcdctl, ["--endpoints=\(endpoints)", "--cacert=\(trust)", "--cert=\(client).pem", "--key=\(client)-key.pem",
                                                      "--dial-timeout=2s", "--command-timeout=4s", "get", "/registry/namespaces/default", "--keys-only"],
                                           in: directory, environment: ["ETCDCTL_API": "3"])
                if run?.status == 0, run?.stdout.contains("/registry/namespaces/default") == true { return nil }
                error = run.map { "\($0.stdout) \($0.stderr)" } ?? error
            }
            return error
        }
    }
}

import Foundation
import ClusterModel
import Shell

/// Requests through the API endpoint from this box, one connection each (curl with the admin
/// certificate, the API server's name verified), on a thread of their own until stopped: what a
/// drill counts. Writes create ConfigMaps labelled for removal.
public final class RequestLoop: @unchecked Sendable {
    static let label = "hardway-drill"
    let arguments: [String]
    private let lock = NSLock()
    private var running = false
    private let finished = DispatchSemaphore(value: 0)
    private var total = 0
    private var failed = 0
    /// When each failed request was sent.
    private var failureTimes: [Date] = []
    private var lastError: String?

    public init(cluster: Cluster, pki: String, writes: Bool = false) throws {
        guard let url = cluster.api.url else { throw DrillError(.noEndpoint, "the cluster has no API endpoint", fix: "set api.endpoint") }
        var arguments = ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", "--cacert", "\(pki)/ca.pem",
                         "--cert", "\(pki)/admin.pem", "--key", "\(pki)/admin-key.pem"]
        if writes {
            let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"hardway-drill-","labels":{"hardway-drill":"true"}},"data":{"written":"during a drill"}}"#
            arguments += ["-X", "POST", "-H", "Content-Type: application/json", "-d", body, "\(url)/api/v1/namespaces/default/configmaps"]
        } else {
            arguments += ["\(url)/api/v1/namespaces/default"]
        }
        self.arguments = arguments
    }

    public var counts: (total: Int, failed: Int, lastError: String?) {
        lock.lock()
        defer { lock.unlock() }
        return (total, failed, lastError)
    }

    public func start() {
        lock.lock()
        running = true
        lock.unlock()
        Thread.detachNewThread { [self] in
            while isRunning {
                let sent = Date()
                let result = try? Exec.run("curl", arguments)
                let code = result?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                lock.lock()
                total += 1
                if !(code == "200" || code == "201") {
                    failed += 1
                    failureTimes.append(sent)
                    lastError = code.isEmpty || code == "000" ? (result?.tail ?? "curl did not run") : "HTTP \(code)"
                }
                lock.unlock()
                Poll.sleep(seconds: 0.05)
            }
            finished.signal()
        }
    }

    /// The loop's count as a drill's figure: held when requests went and none failed.
    func figure(name: String) -> Drill.Figure {
        let (total, failed, last) = counts
        return Drill.Figure(name: name, value: "\(total) sent, \(failed) failed" + (last.map { " (last: \($0))" } ?? ""), ok: failed == 0 && total > 0)
    }

    /// Failed requests sent outside `window`.
    func failures(outside window: ClosedRange<Date>) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return failureTimes.filter { !window.contains($0) }.count
    }

    var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return running
    }

    public func stop() {
        lock.lock()
        let was = running
        running = false
        lock.unlock()
        if was { finished.wait() }
    }
}

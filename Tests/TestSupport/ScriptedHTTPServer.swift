import Foundation
import Shell
#if canImport(Glibc)
import Glibc
#endif

/// A real HTTP server on loopback (python3's http.server) that answers each POST with the next
/// (status, body) of its script, the last one forever after: for the AWS client's retries and the
/// infra waits, where what AWS says must change from one call to the next.
public final class ScriptedHTTPServer {
    public let url: String
    let directory: String
    let process = Process()

    public struct NotStarted: Error, CustomStringConvertible {
        public var description: String { "the scripted HTTP server did not start (is python3 installed?)" }
    }

    public init(_ script: [(Int, String)]) throws {
        directory = NSTemporaryDirectory() + "hardway-scripted-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let answers = script.map { "(\($0.0), \"\"\"\($0.1)\"\"\")" }.joined(separator: ", ")
        let program = """
        import http.server, os, sys
        answers = [\(answers)]
        count = 0
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                global count
                request = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                with open(sys.argv[1] + '/requests', 'ab') as f: f.write(request + b'\\n')
                status, body = answers[min(count, len(answers) - 1)]
                count += 1
                with open(sys.argv[1] + '/count.tmp', 'w') as f: f.write(str(count))
                os.rename(sys.argv[1] + '/count.tmp', sys.argv[1] + '/count')
                self.send_response(status)
                self.send_header('Content-Type', 'text/xml')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())
            def log_message(self, *args): pass
        server = http.server.HTTPServer(('127.0.0.1', 0), Handler)
        with open(sys.argv[1] + '/port.tmp', 'w') as f: f.write(str(server.server_port))
        os.rename(sys.argv[1] + '/port.tmp', sys.argv[1] + '/port')
        server.serve_forever()
        """
        try program.write(toFile: "\(directory)/server.py", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "\(directory)/server.py", directory]
        let process = self.process
        try Launch.locked { try process.run() }
        let deadline = Date().addingTimeInterval(20)
        var port: Int?
        while port == nil, Date() < deadline {
            port = (try? String(contentsOfFile: "\(directory)/port", encoding: .utf8)).flatMap { Int($0) }
            if port == nil { usleep(50_000) }
        }
        guard let port else { throw NotStarted() }
        url = "http://127.0.0.1:\(port)"
    }

    /// How many requests it has answered.
    public var requests: Int { Int((try? String(contentsOfFile: "\(directory)/count", encoding: .utf8)) ?? "0") ?? 0 }

    /// The bodies of the requests it has answered (form-encoded, so one line each), in order.
    public var bodies: [String] {
        ((try? String(contentsOfFile: "\(directory)/requests", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

import Foundation
import Remote
import Shell

/// Which keys an etcd snapshot's secrets were written with, read exactly: the snapshot is restored
/// into a scratch directory on a member and served by a throwaway etcd on loopback (plain HTTP,
/// ports of its own) for one read of /registry/secrets/, then everything is removed.
public enum SnapshotKeys {
    static let port = 23790, peerPort = 23800

    /// The script, for etcd and etcdctl in `bin` and a scratch directory under `work`.
    static func script(_ snapshot: String, bin: String = "/usr/local/bin", work: String = EtcdSnapshot.workDirectory) -> String {
        let client = "http://127.0.0.1:\(port)", peer = "http://127.0.0.1:\(peerPort)"
        let etcdctl = "ETCDCTL_API=3 \(bin)/etcdctl --endpoints=\(client) --command-timeout=20s"
        return """
        set -e
        d=$(mktemp -d \(shellQuote(work))/census-XXXXXX)
        pid=
        trap 'set +e; if [ -n "$pid" ]; then kill $pid 2>/dev/null; wait $pid 2>/dev/null; fi; rm -rf "$d"' EXIT
        ETCDCTL_API=3 \(bin)/etcdctl snapshot restore \(shellQuote(snapshot)) --name census --initial-cluster census=\(peer) \
          --initial-advertise-peer-urls \(peer) --data-dir "$d/data" >/dev/null 2>"$d/restore.log" || { cat "$d/restore.log" >&2; exit 1; }
        \(bin)/etcd --name census --data-dir "$d/data" --listen-client-urls \(client) --advertise-client-urls \(client) \
          --listen-peer-urls \(peer) --initial-advertise-peer-urls \(peer) --initial-cluster census=\(peer) >"$d/etcd.log" 2>&1 &
        pid=$!
        for i in $(seq 100); do \(etcdctl) endpoint health >/dev/null 2>&1 && break; sleep 0.2; done
        \(etcdctl) get \(shellQuote(SecretEncryption.prefix)) \(shellQuote(SecretEncryption.rangeEnd)) -w json || { tail -n 5 "$d/etcd.log" >&2; exit 1; }
        """
    }

    public static func census(of snapshot: String, on member: any RemoteHost, bin: String = "/usr/local/bin",
                       work: String = EtcdSnapshot.workDirectory) throws -> SecretCensus {
        let answer = try member.check(script(snapshot, bin: bin, work: work), step: "reading the snapshot's secrets", timeout: 600)
        guard let page = EtcdRangePage.parse(answer.stdout) else {
            throw RemoteError(host: member.name, step: "reading the snapshot's secrets",
                              result: ExecResult(status: 0, stdout: "", stderr: "etcdctl's output is not JSON: \(answer.stdout.prefix(120))"))
        }
        return SecretCensus(pairs: page.pairs)
    }
}

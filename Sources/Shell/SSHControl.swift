import Foundation
import Crypto

/// The multiplexed ssh connections hardway keeps (one per user, host and port, 60 s after last use)
/// and where their sockets live: a directory only the invoking user can enter — `/run/hardway-ssh`
/// for root, `$XDG_RUNTIME_DIR/hardway-ssh`, else `/tmp/hardway-ssh-<uid>` — made 0700, and its
/// owner and mode checked before every use. ssh uses a master socket that is already there without
/// asking who made it, so a directory another user could write to would hand them every later
/// connection; one that fails the check is refused, never used.
public enum SSHControl {
    /// The directory this user's sockets live in.
    public static var directory: String {
        let environment = ProcessInfo.processInfo.environment
        if geteuid() == 0 { return "/run/hardway-ssh" }
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/"), runtime.utf8.count < 40 { return runtime + "/hardway-ssh" }
        return "/tmp/hardway-ssh-\(geteuid())"
    }

    /// The socket for one connection: the directory and a digest of `user@address:port`, short
    /// enough for the 108-byte limit of a socket's path (with the 17 bytes ssh adds while it binds).
    public static func socket(user: String, address: String, port: Int, in directory: String = directory) -> String {
        let digest = SHA256.hash(data: Data("\(user)@\(address):\(port)".utf8))
        return directory + "/" + digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// Makes `directory` (0700) when it is missing, then checks that it is a directory of this user
    /// that no one else can enter, and that `socket`, when there, is a socket of this user.
    public static func prepare(_ directory: String, socket: String? = nil) throws {
        guard directory.utf8.count + 1 + 16 + 17 < 108 else {
            throw ShellError("the ssh control directory \(directory) is too long a path for ssh's sockets (108 bytes at most)",
                             fix: "set XDG_RUNTIME_DIR to a shorter directory of yours, or unset it", code: .fileAccess)
        }
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            throw ShellError("cannot make the ssh control directory \(directory): \(String(cString: strerror(errno)))",
                             fix: "check its parent directory", code: .fileAccess)
        }
        var info = stat()
        guard lstat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid(), info.st_mode & 0o077 == 0 else {
            throw ShellError("the ssh control directory \(directory) is not a directory of this user (uid \(geteuid())) that only it can enter; hardway will not put its ssh connections there",
                             fix: "remove it (`rm -rf \(directory)`) or make it yours with mode 0700, then run again; if you did not make it, someone else on this box tried to", code: .fileAccess)
        }
        guard let socket, lstat(socket, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK, info.st_uid == geteuid() else {
            throw ShellError("\(socket) is not an ssh control socket of this user; hardway will not connect through it",
                             fix: "remove it (`rm -f \(socket)`) and run again", code: .fileAccess)
        }
    }

    /// Ends the master connection to a host, if there is one (a machine about to go away).
    public static func close(user: String, address: String, port: Int) {
        let path = socket(user: user, address: address, port: port)
        guard (try? prepare(directory, socket: path)) != nil, FileManager.default.fileExists(atPath: path) else { return }
        _ = try? Exec.run("ssh", ["-o", "ControlPath=\(path)", "-p", String(port), "-O", "exit", "--", "\(user)@\(address)"], timeout: 10)
    }
}

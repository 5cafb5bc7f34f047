import Foundation

/// The multiplexed ssh connections hardway keeps (one per user, host and port, 60 s after last use).
public enum SSHControl {
    /// `%C`: ssh's hash of local host, remote host, port and user.
    public static let path = "/tmp/hardway-ssh-%C"

    /// Ends the master connection to a host, if there is one (a machine about to go away).
    public static func close(user: String, address: String, port: Int) {
        _ = try? Exec.run("ssh", ["-o", "ControlPath=\(path)", "-p", String(port), "-O", "exit", "\(user)@\(address)"])
    }
}

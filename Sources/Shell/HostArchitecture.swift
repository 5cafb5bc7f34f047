import Foundation

/// This machine's architecture in the words release files use (amd64, arm64).
public enum HostArchitecture {
    public static var current: String {
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: &name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        switch machine {
        case "x86_64": return "amd64"
        case "aarch64": return "arm64"
        default: return machine
        }
    }
}

extension HostArchitecture {
    /// Debian's multiarch directory name (`x86_64-linux-gnu`): where libc.a and friends live.
    public static var gnuTriplet: String {
        switch current {
        case "amd64": return "x86_64-linux-gnu"
        case "arm64": return "aarch64-linux-gnu"
        default: return "\(current)-linux-gnu"
        }
    }
}

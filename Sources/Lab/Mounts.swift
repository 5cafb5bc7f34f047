import Foundation

/// Mounts, read from /proc/self/mountinfo.
public enum Mounts {
    public static func mountPoints() -> [String] {
        ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count > 4 ? unescape(String(fields[4])) : nil
        }
    }

    /// The lower directories of every overlay mount: which mounts use a root image.
    public static func overlayLowerDirectories() -> [String] {
        ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "").split(separator: "\n").flatMap { line -> [String] in
            guard line.contains(" - overlay ") else { return [] }
            return line.split(separator: ",").compactMap { option in
                option.hasPrefix("lowerdir=") ? unescape(String(option.dropFirst("lowerdir=".count))) : nil
            }
        }
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\040", with: " ").replacingOccurrences(of: "\\011", with: "\t")
            .replacingOccurrences(of: "\\012", with: "\n").replacingOccurrences(of: "\\134", with: "\\")
    }

    public static var supportsOverlay: Bool {
        ((try? String(contentsOfFile: "/proc/filesystems", encoding: .utf8)) ?? "").contains("\toverlay")
    }
}

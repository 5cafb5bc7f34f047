/// A release version as the cluster file writes it, `v1.35.2`: ordered by its numbers, so floors
/// (containerd 2.0 or later) compare as versions, not as text.
public struct ReleaseVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(_ major: Int, _ minor: Int, _ patch: Int) {
        (self.major, self.minor, self.patch) = (major, minor, patch)
    }

    /// `v1.35.2`; nil for anything else (no `v`, two numbers, a suffix like `-rc.0`).
    public init?(_ text: String) {
        guard text.hasPrefix("v") else { return nil }
        let numbers = text.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3, numbers.allSatisfy({ !$0.isEmpty && $0.count <= 9 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return nil }
        self.init(Int(numbers[0])!, Int(numbers[1])!, Int(numbers[2])!)
    }

    /// `1.35`: how release data is keyed.
    public var minorName: String { "\(major).\(minor)" }

    public var description: String { "v\(major).\(minor).\(patch)" }

    public static func < (lhs: ReleaseVersion, rhs: ReleaseVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }
}

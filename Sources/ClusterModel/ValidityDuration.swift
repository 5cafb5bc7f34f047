/// A certificate lifetime written as cfssl and Go write durations: "8760h", "90m", "1h30m",
/// plus "d" for days ("365d") because people think of certificates in days.
public struct ValidityDuration: Sendable, Hashable, CodableAsText {
    public var seconds: Int

    public init(seconds: Int) { self.seconds = seconds }
    public init(hours: Int) { self.seconds = hours * 3600 }

    public init?(_ text: String) {
        guard !text.isEmpty else { return nil }
        var total = 0
        var digits = ""
        for character in text {
            if character.isASCII && character.isNumber {
                digits.append(character)
                continue
            }
            let unit: Int
            switch character {
            case "d": unit = 86_400
            case "h": unit = 3_600
            case "m": unit = 60
            case "s": unit = 1
            default: return nil
            }
            guard let amount = Int(digits) else { return nil }
            let (product, overflow) = amount.multipliedReportingOverflow(by: unit)
            guard !overflow else { return nil }
            total += product
            digits = ""
        }
        guard digits.isEmpty, total > 0 else { return nil }
        self.seconds = total
    }

    public var timeInterval: Double { Double(seconds) }

    /// Hours when whole, as cfssl prints them ("8760h"); otherwise seconds.
    public var description: String { seconds % 3600 == 0 ? "\(seconds / 3600)h" : "\(seconds)s" }

    /// "365 days", "2 hours": for people.
    public var humanDescription: String {
        if seconds % 86_400 == 0 { return seconds == 86_400 ? "1 day" : "\(seconds / 86_400) days" }
        if seconds % 3600 == 0 { return seconds == 3600 ? "1 hour" : "\(seconds / 3600) hours" }
        return "\(seconds) seconds"
    }

    public static let textKind = "a duration"
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Dates as hardway prints them, in UTC. Formatted by hand: a DateFormatter costs milliseconds of
/// ICU set-up, which the issuing path should not pay.
public enum UTCTime {
    /// `2027-11-21`
    public static func day(_ date: Date) -> String {
        let parts = components(date)
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))"
    }

    /// `20261121T063208Z`: sorts by time, safe in file names.
    public static func stamp(_ date: Date) -> String {
        let parts = components(date)
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }

    static func components(_ date: Date) -> tm {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return parts
    }

    static func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

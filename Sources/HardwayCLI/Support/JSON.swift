import Foundation

/// A report for scripts (`--output json`): pretty, keys sorted, dates in ISO 8601, on stdout.
enum JSON {
    static func print<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        Terminal.out(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

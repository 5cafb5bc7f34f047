import Foundation
import Testing
import ClusterModel

/// Addresses, networks and durations are their text in JSON, and decode as strictly as the file reads them.
@Suite struct CodableAsTextTests {
    struct Sample: Codable, Equatable {
        var address: IPv4Address
        var cidr: IPv4CIDR
        var validity: ValidityDuration
    }

    @Test func valuesAreWrittenAsTheirTextAndReadBack() throws {
        let sample = Sample(address: IPv4Address("10.240.0.10")!, cidr: IPv4CIDR("10.32.0.0/24")!, validity: ValidityDuration(hours: 8760))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = try #require(String(data: try encoder.encode(sample), encoding: .utf8))
        #expect(json == #"{"address":"10.240.0.10","cidr":"10.32.0.0\/24","validity":"8760h"}"#)
        #expect(try JSONDecoder().decode(Sample.self, from: Data(json.utf8)) == sample)
    }

    @Test(arguments: [
        (#"{"address":"10.240.0.010","cidr":"10.32.0.0/24","validity":"1h"}"#, "not an IPv4 address: 10.240.0.010"),
        (#"{"address":"10.240.0.10","cidr":"10.32.0.5/24","validity":"1h"}"#, "not a CIDR: 10.32.0.5/24"),
        (#"{"address":"10.240.0.10","cidr":"10.32.0.0/24","validity":"1y"}"#, "not a duration: 1y"),
    ])
    func textThatDoesNotParseIsRefusedByWhatItIsNot(json: String, message: String) {
        #expect { try JSONDecoder().decode(Sample.self, from: Data(json.utf8)) } throws: { error in
            guard case DecodingError.dataCorrupted(let context)? = error as? DecodingError else { return false }
            return context.debugDescription == message
        }
    }
}

import Testing
import Shell

@Suite struct ConcurrentMapTests {
    @Test func resultsKeepTheArraysOrder() {
        let numbers = Array(0..<1000)
        #expect(numbers.concurrentMap { $0 * 2 } == numbers.map { $0 * 2 })
        #expect([Int]().concurrentMap { $0 } == [])
    }

    struct Failure: Error, Equatable { var index: Int }

    /// The same input gives the same error however the threads ran: the first failing element's.
    @Test func theFirstFailingElementGivesTheError() {
        for _ in 0..<20 {
            #expect(throws: Failure(index: 3)) {
                try Array(0..<500).concurrentMap { index throws(Failure) -> Int in
                    if index % 100 == 3 { throw Failure(index: index) }
                    return index
                }
            }
        }
    }
}

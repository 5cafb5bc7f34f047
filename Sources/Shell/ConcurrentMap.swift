import Foundation

extension Array {
    /// `map` spread over the machine's cores, for work that only computes (rendering, parsing,
    /// hashing); the results are in the array's order. When `transform` throws, the error of the
    /// first element that failed is thrown, so the same input always gives the same error.
    public func concurrentMap<T, Failure: Error>(_ transform: (Element) throws(Failure) -> T) throws(Failure) -> [T] {
        guard count > 1 else { return try map(transform) }
        let slots = UnsafeMutableBufferPointer<Result<T, Failure>?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer {
            _ = slots.deinitialize()
            slots.deallocate()
        }
        withoutActuallyEscaping(transform) { transform in
            let work = ConcurrentMapWork(elements: self, transform: transform, slots: slots)
            DispatchQueue.concurrentPerform(iterations: count) { work.run($0) }
        }
        var results: [T] = []
        results.reserveCapacity(count)
        for slot in slots { results.append(try slot!.get()) }
        return results
    }
}

/// What the threads of `concurrentMap` share. Each slot is written by exactly one thread and read
/// only after all of them are done, so no lock is needed.
private final class ConcurrentMapWork<Element, T, Failure: Error>: @unchecked Sendable {
    let elements: [Element]
    let transform: (Element) throws(Failure) -> T
    let slots: UnsafeMutableBufferPointer<Result<T, Failure>?>

    init(elements: [Element], transform: @escaping (Element) throws(Failure) -> T, slots: UnsafeMutableBufferPointer<Result<T, Failure>?>) {
        self.elements = elements
        self.transform = transform
        self.slots = slots
    }

    func run(_ index: Int) {
        slots[index] = Result { () throws(Failure) -> T in try transform(elements[index]) }
    }
}

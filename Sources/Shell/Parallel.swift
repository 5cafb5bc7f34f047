import Foundation

/// Results filled in by several threads, each at its own index.
private final class ResultSlots<Result>: @unchecked Sendable {
    var results: [Result?]
    let lock = NSLock()
    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result) {
        lock.lock()
        results[index] = result
        lock.unlock()
    }
}

/// Runs `body` for every item on threads of its own (the work is mostly waiting on other
/// programs, so the number of cores is no limit) and returns the results in the items' order.
public func parallel<Item: Sendable, Result: Sendable>(_ items: [Item], _ body: @escaping @Sendable (Item) -> Result) -> [Result] {
    let slots = ResultSlots<Result>(count: items.count)
    let group = DispatchGroup()
    for (index, item) in items.enumerated() {
        group.enter()
        Thread.detachNewThread {
            slots.set(index, body(item))
            group.leave()
        }
    }
    group.wait()
    return slots.results.map { $0! }
}

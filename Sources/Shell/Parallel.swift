import Foundation

/// Results filled in by several threads, each at its own index, and the next index to take.
private final class ResultSlots<Result>: @unchecked Sendable {
    private var results: [Result?]
    private var next = 0
    private let lock = NSLock()
    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result) {
        lock.lock()
        results[index] = result
        lock.unlock()
    }

    /// The next item's index for a worker, or nil when all are taken.
    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < results.count else { return nil }
        next += 1
        return next - 1
    }

    var all: [Result] {
        lock.lock()
        defer { lock.unlock() }
        return results.map { $0! }
    }
}

/// Runs `body` for every item on threads of its own — at most `limit` at a time (the work is mostly
/// waiting on other programs, so the number of cores is no limit, but a bastion's sshd drops
/// connections past about ten at once) — and returns the results in the items' order.
public func parallel<Item: Sendable, Result: Sendable>(_ items: [Item], limit: Int = 10, _ body: @escaping @Sendable (Item) -> Result) -> [Result] {
    let slots = ResultSlots<Result>(count: items.count)
    let group = DispatchGroup()
    for _ in 0..<min(max(1, limit), items.count) {
        group.enter()
        Thread.detachNewThread {
            while let index = slots.take() { slots.set(index, body(items[index])) }
            group.leave()
        }
    }
    group.wait()
    return slots.all
}

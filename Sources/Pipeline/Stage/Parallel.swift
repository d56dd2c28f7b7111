import Foundation

/// Results of ``parallelMap(_:workers:_:)`` filled in by the worker threads under a lock.
private final class ParallelResults<R>: @unchecked Sendable {
  var values: [R?]
  let lock = NSLock()
  var next = 0
  init(_ n: Int) { values = Array(repeating: nil, count: n) }

  /// The next item index to work on.
  func claim() -> Int {
    lock.lock()
    defer { lock.unlock() }
    next += 1
    return next - 1
  }

  func store(_ value: R, at i: Int) {
    lock.lock()
    values[i] = value
    lock.unlock()
  }
}

/// Runs `body` on every item with up to `workers` threads and returns the results in order.
/// Each call must be independent (its own task model and random stream).
public func parallelMap<T: Sendable, R: Sendable>(
  _ items: [T], workers: Int, _ body: @escaping @Sendable (T) -> R
) -> [R] {
  let results = ParallelResults<R>(items.count)
  let threads = max(1, min(workers, items.count))
  DispatchQueue.concurrentPerform(iterations: threads) { _ in
    while true {
      let i = results.claim()
      guard i < items.count else { return }
      results.store(body(items[i]), at: i)
    }
  }
  return results.values.compactMap { $0 }
}

import AutoLoss
import Foundation

/// Runs `body` on every item with up to `workers` threads and returns the results in order.
/// Each call must be independent (its own task model and random stream).
public func parallelMap<T: Sendable, R: Sendable>(
  _ items: [T], workers: Int, _ body: @escaping @Sendable (T) -> R
) -> [R] {
  let results = JobSlots<R>(items.count)
  let threads = max(1, min(workers, items.count))
  DispatchQueue.concurrentPerform(iterations: threads) { _ in
    while let i = results.claim() { results.store(body(items[i]), at: i) }
  }
  return results.values.compactMap { $0 }
}

// Embedding lookup: rows of a table selected by integer ids.

/// out[n, :] = table[ids[n], :] for `table` `[V, E]`; returns `[ids.count, E]`.
/// The backward pass scatter-adds into the table (repeated ids accumulate).
public func embeddingLookup(_ table: Variable, ids: [Int]) -> Variable {
  precondition(table.rank == 2, "embedding table must be [V, E], got \(table.shape)")
  let (v, e) = (table.shape[0], table.shape[1])
  precondition(ids.allSatisfy { $0 >= 0 && $0 < v }, "embedding id outside 0..<\(v)")
  var out = [Float](repeating: 0, count: ids.count * e)
  table.value.data.withUnsafeBufferPointer { src in
    out.withUnsafeMutableBufferPointer { dst in
      for (r, id) in ids.enumerated() {
        (dst.baseAddress! + r * e).update(from: src.baseAddress! + id * e, count: e)
      }
    }
  }
  return Variable.make(Tensor(shape: [ids.count, e], data: out), [table]) { g in
    var d = [Float](repeating: 0, count: v * e)
    d.withUnsafeMutableBufferPointer { dst in
      g.data.withUnsafeBufferPointer { src in
        for (r, id) in ids.enumerated() {
          let to = dst.baseAddress! + id * e
          let from = src.baseAddress! + r * e
          for j in 0..<e { to[j] += from[j] }
        }
      }
    }
    table.accumulate(Tensor(shape: [v, e], data: d))
  }
}

/// A learned lookup table `weight` `[vocabularySize, embeddingSize]`.
public final class Embedding: Module {
  /// The table `[vocabularySize, embeddingSize]`; row i is the vector of id i.
  public let weight: Variable

  /// The table is drawn from `initializer` (N(0, 1) by default, as PyTorch).
  public init(
    vocabularySize: Int, embeddingSize: Int, initializer: Initializer = .normal(1),
    rng: inout SeededRandom
  ) {
    weight = Variable(
      initializer.make(
        [vocabularySize, embeddingSize], fanIn: vocabularySize, fanOut: embeddingSize, rng: &rng),
      requiresGrad: true, name: "weight")
  }

  /// `weight`.
  public var namedParameters: [(String, Variable)] { [("weight", weight)] }

  /// Looks up `ids`; the result is `[ids.count, E]`, or `shape + [E]` when `shape` is given
  /// (for example `[T, B]` for time-major token ids, whose product must be `ids.count`).
  public func callAsFunction(_ ids: [Int], shape: [Int]? = nil) -> Variable {
    let out = embeddingLookup(weight, ids: ids)
    guard let shape else { return out }
    return out.reshaped(shape + [weight.shape[1]])
  }
}

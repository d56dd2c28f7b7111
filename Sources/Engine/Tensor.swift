/// A dense, row-major, contiguous array of `Float` values with a shape.
///
/// `Tensor` is a value type: its storage is a copy-on-write Swift array. It carries no gradient
/// information; differentiable computations wrap tensors in ``Variable``.
public struct Tensor: Sendable, Equatable, CustomStringConvertible {
  /// The extent of each axis, outermost first. A scalar has shape `[]`.
  public var shape: [Int]
  /// The elements in row-major order; `data.count == shape.product`.
  public var data: [Float]

  /// Creates a tensor from its shape and elements. The element count must match the shape.
  public init(shape: [Int], data: [Float]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
    precondition(
      shape.reduce(1, *) == data.count,
      "shape \(shape) needs \(shape.reduce(1, *)) elements, got \(data.count)")
    self.shape = shape
    self.data = data
  }

  /// A tensor of the given shape filled with `value`.
  public init(shape: [Int], repeating value: Float) {
    self.init(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)))
  }

  /// A scalar tensor (shape `[]`).
  public init(scalar: Float) { self.init(shape: [], data: [scalar]) }

  /// Zeros of the given shape.
  public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }
  /// Ones of the given shape.
  public static func ones(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }

  /// The number of elements.
  public var count: Int { data.count }
  /// The number of axes.
  public var rank: Int { shape.count }
  /// The single element of a one-element tensor.
  public var scalar: Float {
    precondition(data.count == 1, "scalar of a tensor with shape \(shape)")
    return data[0]
  }

  /// The shape and the first 8 elements, e.g. `Tensor(shape: [2, 2], data: [1.0, 2.0, 3.0, 4.0])`.
  public var description: String {
    let head = data.prefix(8).map { String($0) }.joined(separator: ", ")
    return "Tensor(shape: \(shape), data: [\(head)\(data.count > 8 ? ", ..." : "")])"
  }

  /// The same elements under a new shape; one extent may be `-1` and is inferred.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    Tensor(shape: Tensor.resolve(newShape, count: count), data: data)
  }

  /// Resolves a `-1` placeholder in `shape` so that the shape holds `count` elements.
  static func resolve(_ shape: [Int], count: Int) -> [Int] {
    guard let hole = shape.firstIndex(of: -1) else {
      precondition(shape.reduce(1, *) == count, "cannot reshape \(count) elements to \(shape)")
      return shape
    }
    let known = shape.enumerated().filter { $0.offset != hole }.map(\.element).reduce(1, *)
    precondition(known > 0 && count % known == 0, "cannot reshape \(count) elements to \(shape)")
    var result = shape
    result[hole] = count / known
    return result
  }

  /// The number of elements in one item along the first axis.
  public var rowSize: Int { shape.isEmpty ? 1 : shape.dropFirst().reduce(1, *) }

  /// Rows `range` along the first axis.
  public func slice(rows range: Range<Int>) -> Tensor {
    precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0], "bad slice \(range) of \(shape)")
    let size = rowSize
    var newShape = shape
    newShape[0] = range.count
    return Tensor(shape: newShape, data: Array(data[(range.lowerBound * size)..<(range.upperBound * size)]))
  }

  /// The rows at `indices` along the first axis, in that order.
  public func gather(rows indices: [Int]) -> Tensor {
    let size = rowSize
    var out = [Float](repeating: 0, count: indices.count * size)
    data.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for (r, i) in indices.enumerated() {
          precondition(i >= 0 && i < shape[0], "row \(i) out of range for shape \(shape)")
          for j in 0..<size { dst[r * size + j] = src[i * size + j] }
        }
      }
    }
    var newShape = shape
    newShape[0] = indices.count
    return Tensor(shape: newShape, data: out)
  }

  /// Concatenates tensors along `axis`; all other extents must agree.
  public static func concat(_ parts: [Tensor], axis: Int = 0) -> Tensor {
    precondition(!parts.isEmpty, "concat of no tensors")
    let rank = parts[0].rank
    precondition(axis >= 0 && axis < rank, "concat axis \(axis) for rank \(rank)")
    for p in parts {
      precondition(p.rank == rank, "concat of ranks \(rank) and \(p.rank)")
      for a in 0..<rank where a != axis {
        precondition(p.shape[a] == parts[0].shape[a], "concat of shapes \(parts[0].shape) and \(p.shape)")
      }
    }
    let outer = parts[0].shape[..<axis].reduce(1, *)
    let inner = parts[0].shape[(axis + 1)...].reduce(1, *)
    var out = [Float]()
    out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
    for o in 0..<outer {
      for p in parts {
        let block = p.shape[axis] * inner
        out.append(contentsOf: p.data[(o * block)..<((o + 1) * block)])
      }
    }
    var shape = parts[0].shape
    shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
    return Tensor(shape: shape, data: out)
  }

  /// Index of the largest element along the last axis, for each leading position.
  public func argmax() -> [Int] {
    guard let last = shape.last, last > 0 else { return [] }
    let rows = count / last
    return data.withUnsafeBufferPointer { p in
      (0..<rows).map { r in
        // A vectorized maximum, then the first index holding it (rows of logits are long).
        let row = p.baseAddress! + r * last
        let best = SeqMath.max(row, last)
        for i in 0..<last where row[i] == best { return i }
        return 0  // every entry NaN
      }
    }
  }

  /// Sum of all elements.
  public func sum() -> Float { data.reduce(0, +) }
  /// Mean of all elements.
  public func mean() -> Float { data.isEmpty ? 0 : sum() / Float(count) }
  /// Sum of squares of all elements.
  public func squaredNorm() -> Float {
    var s: Float = 0
    for v in data { s += v * v }
    return s
  }

  /// Applies `f` to every element.
  @inlinable
  public func map(_ f: (Float) -> Float) -> Tensor { Tensor(shape: shape, data: data.map(f)) }

  /// Sums over `axis`, removing it.
  public func sum(axis: Int) -> Tensor {
    precondition(axis >= 0 && axis < rank, "axis \(axis) for shape \(shape)")
    let outer = shape[..<axis].reduce(1, *)
    let n = shape[axis]
    let inner = shape[(axis + 1)...].reduce(1, *)
    var out = [Float](repeating: 0, count: outer * inner)
    data.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        if inner == 1 {
          for o in 0..<outer {
            var s: Float = 0
            let row = src.baseAddress! + o * n
            for k in 0..<n { s += row[k] }
            dst[o] = s
          }
          return
        }
        for o in 0..<outer {
          let d = dst.baseAddress! + o * inner
          for k in 0..<n {
            let row = src.baseAddress! + (o * n + k) * inner
            for i in 0..<inner { d[i] += row[i] }
          }
        }
      }
    }
    var newShape = shape
    newShape.remove(at: axis)
    return Tensor(shape: newShape, data: out)
  }

  /// Means over `axis`, removing it.
  public func mean(axis: Int) -> Tensor {
    let n = Float(shape[axis])
    return sum(axis: axis).map { $0 / n }
  }
}

extension Tensor {
  /// Elementwise sum of same-shaped tensors.
  public static func + (a: Tensor, b: Tensor) -> Tensor { a.zipped(b, +) }
  /// Elementwise difference of same-shaped tensors.
  public static func - (a: Tensor, b: Tensor) -> Tensor { a.zipped(b, -) }
  /// Elementwise product of same-shaped tensors.
  public static func * (a: Tensor, b: Tensor) -> Tensor { a.zipped(b, *) }
  /// Scales every element.
  public static func * (a: Tensor, s: Float) -> Tensor { a.map { $0 * s } }

  /// Combines two same-shaped tensors elementwise.
  @inlinable
  public func zipped(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    precondition(shape == other.shape, "shapes \(shape) and \(other.shape) differ")
    var out = [Float](repeating: 0, count: count)
    data.withUnsafeBufferPointer { a in
      other.data.withUnsafeBufferPointer { b in
        out.withUnsafeMutableBufferPointer { o in
          for i in 0..<o.count { o[i] = f(a[i], b[i]) }
        }
      }
    }
    return Tensor(shape: shape, data: out)
  }

  /// Adds `other * scale` into this tensor in place; shapes must match.
  public mutating func addScaled(_ other: Tensor, _ scale: Float = 1) {
    precondition(count == other.count, "shapes \(shape) and \(other.shape) differ")
    let n = count
    data.withUnsafeMutableBufferPointer { a in
      other.data.withUnsafeBufferPointer { b in
        for i in 0..<n { a[i] += scale * b[i] }
      }
    }
  }
}

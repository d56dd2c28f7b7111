// Differentiable shape manipulation on ``Variable``.

extension Variable {
  /// The same elements under a new shape (one extent may be -1).
  public func reshaped(_ newShape: [Int]) -> Variable {
    let old = shape
    return Variable.make(value.reshaped(newShape), [self]) { [self] g in self.accumulate(g.reshaped(old)) }
  }

  /// Flattens all axes after the first: [b, ...] -> [b, rest].
  public func flattened() -> Variable { reshaped([shape[0], -1]) }

  /// Permutes the axes: output axis i is input axis `perm[i]`.
  public func permuted(_ perm: [Int]) -> Variable {
    let out = value.permuted(perm)
    var inverse = [Int](repeating: 0, count: perm.count)
    for (i, p) in perm.enumerated() { inverse[p] = i }
    return Variable.make(out, [self]) { [self] g in self.accumulate(g.permuted(inverse)) }
  }

  /// The transpose of a rank-2 variable.
  public func transposed() -> Variable {
    precondition(rank == 2, "transposed() needs rank 2, got \(shape)")
    return permuted([1, 0])
  }

  /// The number of axes.
  public var rank: Int { value.rank }

  /// Rows `range` along the first axis.
  public func slice(rows range: Range<Int>) -> Variable {
    let shape = self.shape
    let size = value.rowSize
    return Variable.make(value.slice(rows: range), [self]) { [self] g in
      var d = [Float](repeating: 0, count: shape.reduce(1, *))
      for i in 0..<g.count { d[range.lowerBound * size + i] = g.data[i] }
      self.accumulate(Tensor(shape: shape, data: d))
    }
  }

  /// Rows `indices` along the first axis; repeated indices accumulate their gradients.
  public func gather(rows indices: [Int]) -> Variable {
    let shape = self.shape
    let size = value.rowSize
    return Variable.make(value.gather(rows: indices), [self]) { [self] g in
      var d = [Float](repeating: 0, count: shape.reduce(1, *))
      for (r, i) in indices.enumerated() {
        for j in 0..<size { d[i * size + j] += g.data[r * size + j] }
      }
      self.accumulate(Tensor(shape: shape, data: d))
    }
  }

  /// Splits along `axis` into pieces of the given sizes (which must add up to the extent).
  public func split(sizes: [Int], axis: Int) -> [Variable] {
    precondition(sizes.reduce(0, +) == shape[axis], "split sizes \(sizes) for axis \(axis) of \(shape)")
    var start = 0
    return sizes.map { size in
      defer { start += size }
      return narrow(axis: axis, start: start, length: size)
    }
  }

  /// The sub-range `start..<start+length` of `axis`.
  public func narrow(axis: Int, start: Int, length: Int) -> Variable {
    let shape = self.shape
    let outer = shape[..<axis].reduce(1, *)
    let n = shape[axis]
    let inner = shape[(axis + 1)...].reduce(1, *)
    var out = [Float](repeating: 0, count: outer * length * inner)
    value.data.withUnsafeBufferPointer { src in
      for o in 0..<outer {
        for k in 0..<(length * inner) { out[o * length * inner + k] = src[(o * n + start) * inner + k] }
      }
    }
    var newShape = shape
    newShape[axis] = length
    return Variable.make(Tensor(shape: newShape, data: out), [self]) { [self] g in
      var d = [Float](repeating: 0, count: shape.reduce(1, *))
      for o in 0..<outer {
        for k in 0..<(length * inner) { d[(o * n + start) * inner + k] = g.data[o * length * inner + k] }
      }
      self.accumulate(Tensor(shape: shape, data: d))
    }
  }
}

/// Concatenates variables along `axis`.
public func concat(_ parts: [Variable], axis: Int) -> Variable {
  let out = Tensor.concat(parts.map(\.value), axis: axis)
  let sizes = parts.map { $0.shape[axis] }
  let outer = out.shape[..<axis].reduce(1, *)
  let inner = out.shape[(axis + 1)...].reduce(1, *)
  let total = out.shape[axis]
  return Variable.make(out, parts) { g in
    var offset = 0
    for (p, size) in zip(parts, sizes) {
      defer { offset += size }
      guard p.requiresGrad else { continue }
      var d = [Float](repeating: 0, count: outer * size * inner)
      for o in 0..<outer {
        for k in 0..<(size * inner) { d[o * size * inner + k] = g.data[(o * total + offset) * inner + k] }
      }
      p.accumulate(Tensor(shape: p.shape, data: d))
    }
  }
}

extension Tensor {
  /// The tensor with its axes permuted: output axis i is input axis `perm[i]`.
  public func permuted(_ perm: [Int]) -> Tensor {
    precondition(perm.sorted() == Array(0..<rank), "bad permutation \(perm) for rank \(rank)")
    if perm == Array(0..<rank) { return self }
    let outShape = perm.map { shape[$0] }
    var inStrides = [Int](repeating: 1, count: rank)
    for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
    let strides = perm.map { inStrides[$0] }
    var out = [Float](repeating: 0, count: count)
    if rank == 2 {
      let (r, c) = (shape[0], shape[1])
      data.withUnsafeBufferPointer { s in
        out.withUnsafeMutableBufferPointer { o in
          for i in 0..<r { for j in 0..<c { o[j * r + i] = s[i * c + j] } }
        }
      }
      return Tensor(shape: outShape, data: out)
    }
    var index = [Int](repeating: 0, count: rank)
    var src = 0
    for i in 0..<count {
      out[i] = data[src]
      var axis = rank - 1
      while axis >= 0 {
        index[axis] += 1
        src += strides[axis]
        if index[axis] < outShape[axis] { break }
        src -= strides[axis] * outShape[axis]
        index[axis] = 0
        axis -= 1
      }
    }
    return Tensor(shape: outShape, data: out)
  }
}

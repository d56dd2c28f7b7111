/// NumPy-style broadcasting of elementwise binary functions on ``Tensor``.
enum Broadcast {
  /// The broadcast shape of two shapes (aligned at the trailing axes).
  static func shape(_ a: [Int], _ b: [Int]) -> [Int] {
    let rank = max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
      let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
      let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
      precondition(da == db || da == 1 || db == 1, "cannot broadcast shapes \(a) and \(b)")
      out[i] = da == 1 ? db : da
    }
    return out
  }

  /// Row-major strides of `shape` seen through `outShape`: 0 on broadcast axes.
  static func strides(of shape: [Int], in outShape: [Int]) -> [Int] {
    let offset = outShape.count - shape.count
    var strides = [Int](repeating: 0, count: outShape.count)
    var acc = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
      strides[i + offset] = shape[i] == 1 ? 0 : acc
      acc *= shape[i]
    }
    return strides
  }

  /// Whether `b` is a trailing block of `a` (a bias): a = [..., b...].
  static func isSuffix(_ b: [Int], of a: [Int]) -> Bool {
    b.count <= a.count && Array(a.suffix(b.count)) == b
  }

  /// Applies `f` elementwise under broadcasting.
  @inline(__always)
  static func apply(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    if a.shape == b.shape { return a.zipped(b, f) }
    if b.count == 1 {
      let s = b.data[0]
      let shape = a.rank >= b.rank ? a.shape : shape(a.shape, b.shape)
      return Tensor(shape: shape, data: a.data.map { f($0, s) })
    }
    if a.count == 1 {
      let s = a.data[0]
      let shape = b.rank >= a.rank ? b.shape : shape(a.shape, b.shape)
      return Tensor(shape: shape, data: b.data.map { f(s, $0) })
    }
    if isSuffix(b.shape, of: a.shape) {
      let inner = b.count
      var out = [Float](repeating: 0, count: a.count)
      a.data.withUnsafeBufferPointer { pa in
        b.data.withUnsafeBufferPointer { pb in
          out.withUnsafeMutableBufferPointer { po in
            var base = 0
            while base < po.count {
              for j in 0..<inner { po[base + j] = f(pa[base + j], pb[j]) }
              base += inner
            }
          }
        }
      }
      return Tensor(shape: a.shape, data: out)
    }
    let outShape = shape(a.shape, b.shape)
    let sa = strides(of: a.shape, in: outShape)
    let sb = strides(of: b.shape, in: outShape)
    let n = outShape.reduce(1, *)
    var out = [Float](repeating: 0, count: n)
    var index = [Int](repeating: 0, count: outShape.count)
    var ia = 0
    var ib = 0
    for i in 0..<n {
      out[i] = f(a.data[ia], b.data[ib])
      var axis = outShape.count - 1
      while axis >= 0 {
        index[axis] += 1
        ia += sa[axis]
        ib += sb[axis]
        if index[axis] < outShape[axis] { break }
        ia -= sa[axis] * outShape[axis]
        ib -= sb[axis] * outShape[axis]
        index[axis] = 0
        axis -= 1
      }
    }
    return Tensor(shape: outShape, data: out)
  }

  /// Sums a gradient of the broadcast shape back down to `shape`.
  static func reduce(_ g: Tensor, to shape: [Int]) -> Tensor {
    if g.shape == shape { return g }
    let n = shape.reduce(1, *)
    if n == 1 { return Tensor(shape: shape, data: [g.sum()]) }
    if isSuffix(shape, of: g.shape) {
      var out = [Float](repeating: 0, count: n)
      g.data.withUnsafeBufferPointer { pg in
        out.withUnsafeMutableBufferPointer { po in
          var base = 0
          while base < pg.count {
            for j in 0..<n { po[j] += pg[base + j] }
            base += n
          }
        }
      }
      return Tensor(shape: shape, data: out)
    }
    let st = strides(of: shape, in: g.shape)
    var out = [Float](repeating: 0, count: n)
    var index = [Int](repeating: 0, count: g.rank)
    var io = 0
    for i in 0..<g.count {
      out[io] += g.data[i]
      var axis = g.rank - 1
      while axis >= 0 {
        index[axis] += 1
        io += st[axis]
        if index[axis] < g.shape[axis] { break }
        io -= st[axis] * g.shape[axis]
        index[axis] = 0
        axis -= 1
      }
    }
    return Tensor(shape: shape, data: out)
  }
}

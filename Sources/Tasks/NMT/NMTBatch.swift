import Engine

/// One padded, time-major batch of a sequence-to-sequence task.
///
/// Layouts (t-major, `[T, B]` flattened as `t * B + b`):
/// - `sourceIDs` `[Ts, B]` padded with PAD; `sourceLengths[b]` real tokens;
/// - `decoderInputs` `[Td, B]` = START, y1 … yn, then PAD;
/// - `decoderTargets` `[Td, B]` = y1 … yn, END, then PAD; `targetMask` is 1 on the n + 1 real
///   positions and 0 on padding; `targetLengths[b]` = n + 1.
public struct NMTBatch: Sendable, Equatable {
  public var batchSize: Int
  public var sourceLength: Int
  public var targetLength: Int
  public var sourceIDs: [Int]
  public var sourceLengths: [Int]
  public var decoderInputs: [Int]
  public var decoderTargets: [Int]
  public var targetMask: [Float]
  public var targetLengths: [Int]

  /// Pads `sources` and `targets` (same count, each source non-empty).
  public init(sources: [ArraySlice<Int32>], targets: [ArraySlice<Int32>]) {
    precondition(
      !sources.isEmpty && sources.count == targets.count, "a batch needs matching non-empty sources and targets")
    let b = sources.count
    let ts = max(1, sources.map(\.count).max() ?? 1)
    let td = (targets.map(\.count).max() ?? 0) + 1
    let pad = Int(NMTToken.pad)
    var src = [Int](repeating: pad, count: ts * b)
    var dIn = [Int](repeating: pad, count: td * b)
    var dOut = [Int](repeating: pad, count: td * b)
    var mask = [Float](repeating: 0, count: td * b)
    for (j, s) in sources.enumerated() {
      for (t, id) in s.enumerated() { src[t * b + j] = Int(id) }
    }
    for (j, y) in targets.enumerated() {
      dIn[j] = Int(NMTToken.start)
      for (t, id) in y.enumerated() {
        dOut[t * b + j] = Int(id)
        dIn[(t + 1) * b + j] = Int(id)
        mask[t * b + j] = 1
      }
      dOut[y.count * b + j] = Int(NMTToken.end)
      mask[y.count * b + j] = 1
    }
    batchSize = b
    sourceLength = ts
    targetLength = td
    sourceIDs = src
    // An empty source still gets one (PAD) step so that every row has a state and attention target.
    sourceLengths = sources.map { max($0.count, 1) }
    decoderInputs = dIn
    decoderTargets = dOut
    targetMask = mask
    targetLengths = targets.map { $0.count + 1 }
  }

  /// The batch of pairs `indices` of `pairs`.
  public init(_ pairs: SequencePairs, indices: [Int]) {
    self.init(sources: indices.map { pairs.source[$0] }, targets: indices.map { pairs.target[$0] })
  }

  /// The number of real target tokens (END included).
  public var tokenCount: Int { targetLengths.reduce(0, +) }
}

/// Draws training batches of one task: shuffles every epoch, groups pairs of similar source length
/// (within windows of `bucketBatches` batches) to cut padding, and shuffles the batch order.
public struct NMTBatcher: Sendable {
  public let batchSize: Int
  public let bucketBatches: Int
  private var queue: [[Int]] = []
  /// Completed passes over the data.
  public private(set) var epochs = 0
  private let count: Int
  private let lengths: [Int]

  public init(_ pairs: SequencePairs, batchSize: Int, bucketBatches: Int = 20) {
    precondition(pairs.count > 0 && batchSize > 0, "a batcher needs data and a positive batch size")
    self.batchSize = batchSize
    self.bucketBatches = max(1, bucketBatches)
    count = pairs.count
    lengths = (0..<pairs.count).map { pairs.source.length($0) }
  }

  /// The indices of the next batch.
  public mutating func next(rng: inout SeededRandom) -> [Int] {
    if queue.isEmpty { refill(rng: &rng) }
    return queue.removeLast()
  }

  private mutating func refill(rng: inout SeededRandom) {
    if !queue.isEmpty || count == 0 { return }
    let order = rng.permutation(count)
    let window = batchSize * bucketBatches
    var batches: [[Int]] = []
    var start = 0
    while start < order.count {
      let chunk = order[start..<min(start + window, order.count)].sorted { lengths[$0] < lengths[$1] }
      var i = 0
      while i < chunk.count {
        batches.append(Array(chunk[i..<min(i + batchSize, chunk.count)]))
        i += batchSize
      }
      start += window
    }
    let perm = rng.permutation(batches.count)
    queue = perm.map { batches[$0] }
    if count < batchSize { queue = [Array(0..<count)] }
    epochs += 1
  }
}

/// Fixed evaluation batches over a whole split, sorted by source length (no shuffling).
public func evaluationBatches(_ pairs: SequencePairs, batchSize: Int) -> [NMTBatch] {
  let order = (0..<pairs.count).sorted { pairs.source.length($0) < pairs.source.length($1) }
  var batches: [NMTBatch] = []
  var i = 0
  while i < order.count {
    batches.append(NMTBatch(pairs, indices: Array(order[i..<min(i + batchSize, order.count)])))
    i += batchSize
  }
  return batches
}

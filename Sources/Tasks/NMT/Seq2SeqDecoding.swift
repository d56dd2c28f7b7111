import Engine

extension Seq2SeqModel {
  /// Greedy decoding of `task` for every source in the batch (no dropout, no tape): feeds START,
  /// then each step's argmax, until END or `maxLength` tokens. Returns the token ids without END.
  ///
  /// `maxLength` defaults to 2·(source length) + 10 per sentence.
  public func greedyDecode(task: Int, batch: NMTBatch, maxLength: Int? = nil) -> [[Int32]] {
    GradMode.withoutRecording {
      var rng = SeededRandom(seed: 0)
      let d = decoders[task]
      let b = batch.batchSize
      let encoded = encode(batch, training: false, rng: &rng)
      let limits = batch.sourceLengths.map { maxLength ?? (2 * $0 + 10) }
      var states = encoded.states
      var input = [Int](repeating: Int(NMTToken.start), count: b)
      var outputs = [[Int32]](repeating: [], count: b)
      var done = [Bool](repeating: false, count: b)
      for step in 0..<(limits.max() ?? 0) {
        let y = d.embedding(input, shape: [1, b])
        let r = d.lstm(y, initialStates: states, lengths: nil, training: false, rng: &rng)
        states = r.states
        let att = d.attention(query: r.output, memory: encoded.memory, sourceMask: encoded.mask).output
        let next = d.projection(att.reshaped([b, config.hiddenSize])).value.argmax()
        for j in 0..<b where !done[j] {
          if next[j] == Int(NMTToken.end) || step >= limits[j] {
            done[j] = true
          } else {
            outputs[j].append(Int32(next[j]))
          }
        }
        if done.allSatisfy({ $0 }) { break }
        input = next
      }
      return outputs
    }
  }

  /// Greedy translations of a whole split, in the split's order.
  public func greedyDecode(task: Int, pairs: SequencePairs, batchSize: Int, maxLength: Int? = nil) -> [[Int32]] {
    let order = (0..<pairs.count).sorted { pairs.source.length($0) < pairs.source.length($1) }
    var result = [[Int32]](repeating: [], count: pairs.count)
    var i = 0
    while i < order.count {
      let idx = Array(order[i..<min(i + batchSize, order.count)])
      let out = greedyDecode(task: task, batch: NMTBatch(pairs, indices: idx), maxLength: maxLength)
      for (k, j) in idx.enumerated() { result[j] = out[k] }
      i += batchSize
    }
    return result
  }
}

import Engine

/// A 2-layer LSTM encoder-decoder with Luong (general) attention, time-major, teacher-forced:
/// source/target embeddings `[V, E]`, encoder and decoder LSTMs (the decoder starts from the
/// encoder's final states), attention output tanh([context; h]·W_c), projection to the vocabulary.
final class BenchSeq2Seq: Module {
  let sourceEmbedding: Embedding
  let targetEmbedding: Embedding
  let encoder: LSTM
  let decoder: LSTM
  let attention: LuongAttention
  let projection: Linear

  init(vocabulary: Int, embedding: Int, hidden: Int, layers: Int, rng: inout SeededRandom) {
    sourceEmbedding = Embedding(vocabularySize: vocabulary, embeddingSize: embedding, initializer: .normal(0.1), rng: &rng)
    targetEmbedding = Embedding(vocabularySize: vocabulary, embeddingSize: embedding, initializer: .normal(0.1), rng: &rng)
    encoder = LSTM(inputSize: embedding, hiddenSize: hidden, numLayers: layers, rng: &rng)
    decoder = LSTM(inputSize: embedding, hiddenSize: hidden, numLayers: layers, rng: &rng)
    attention = LuongAttention(hiddenSize: hidden, score: .general, rng: &rng)
    projection = Linear(hidden, vocabulary, rng: &rng)
  }

  var namedParameters: [(String, Variable)] {
    prefixed("src_embedding", sourceEmbedding) + prefixed("tgt_embedding", targetEmbedding)
      + prefixed("encoder", encoder) + prefixed("decoder", decoder) + prefixed("attention", attention)
      + prefixed("projection", projection)
  }

  /// Mean per-token cross-entropy of `targetOut` given `source` and `targetIn`, ids time-major `[T, B]`.
  func loss(source: [Int], targetIn: [Int], targetOut: [Int], mask: [Float], t: Int, b: Int) -> Variable {
    let enc = encoder(sourceEmbedding(source, shape: [t, b]))
    let dec = decoder(targetEmbedding(targetIn, shape: [t, b]), initialStates: enc.states)
    let att = attention(query: dec.output, memory: enc.output).output
    let logits = projection(att.reshaped([t * b, -1]))
    return softmaxCrossEntropy(logits, labels: targetOut, mask: mask)
  }
}

extension BenchCatalog {
  /// One teacher-forced training step of the seq2seq model: B 32, T 30, H 256, E 128, V 8000, Adam(1e-3).
  public static func nmt(
    batch b: Int = 32, length t: Int = 30, hidden h: Int = 256, embedding e: Int = 128, vocabulary v: Int = 8000,
    layers: Int = 2
  ) -> BenchCase {
    let tokens = Double(t * b)
    let lstm = Double((e + h) * 4 * h + (layers - 1) * 2 * h * 4 * h)  // per token, one LSTM stack
    let attention = Double(t * h * h + 2 * t * t * h) / Double(t) + Double(2 * h * h)  // per token
    let macs = tokens * (2 * lstm + attention + Double(h * v))
    // forward, weight gradients, input gradients (the embeddings need none of the GEMM kind)
    let flops = 2 * 3 * macs
    return BenchCase(name: "nmt", flops: flops) {
      var rng = SeededRandom(seed: 7)
      let model = BenchSeq2Seq(vocabulary: v, embedding: e, hidden: h, layers: layers, rng: &rng)
      let ids = { (0..<(t * b)).map { _ in rng.int(below: v) } }
      let (source, targetIn, targetOut) = (ids(), ids(), ids())
      let mask = [Float](repeating: 1, count: t * b)
      let adam = Adam(learningRate: 1e-3)
      let params = model.parameters
      return {
        model.zeroGrad()
        model.loss(source: source, targetIn: targetIn, targetOut: targetOut, mask: mask, t: t, b: b).backward()
        adam.step(params)
      }
    }
  }
}

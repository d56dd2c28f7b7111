import Engine
import Tasks

extension BenchCatalog {
  /// One teacher-forced training step of the NMT task model (`Tasks.Seq2SeqModel`, one decoder):
  /// 2-layer LSTM encoder and decoder with Luong general attention, dropout 0.3 (the task's default),
  /// B 32, source and target length 30, H 256, E 128, V 8000, masked cross-entropy, Adam(1e-3).
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
      let config = Seq2SeqConfig(embeddingSize: e, hiddenSize: h, layers: layers, dropout: 0.3)
      let model = Seq2SeqModel(sourceVocabularySize: v, targetVocabularySizes: [v], config: config, rng: &rng)
      // sources of t tokens, targets of t − 1 tokens (+ END = t decoder steps); ids avoid the special tokens
      let sentence = { (n: Int) -> ArraySlice<Int32> in
        ArraySlice((0..<n).map { _ in Int32(4 + rng.int(below: v - 4)) })
      }
      let sources = (0..<b).map { _ in sentence(t) }
      let targets = (0..<b).map { _ in sentence(t - 1) }
      let batch = NMTBatch(sources: sources, targets: targets)
      let adam = Adam(learningRate: 1e-3)
      let params = model.parameters(task: 0)
      return {
        model.zeroGrad()
        model.loss(task: 0, batch: batch, training: true, rng: &rng).loss.backward()
        adam.step(params)
      }
    }
  }
}

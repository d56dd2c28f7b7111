import Engine

/// Sizes and options of the multi-task sequence-to-sequence model (paper-spec section 5).
public struct Seq2SeqConfig: Sendable, Codable, Equatable {
  /// Embedding size of the shared source embedding and of every decoder embedding.
  public var embeddingSize = 128
  /// Hidden size of every LSTM layer (and of the attention).
  public var hiddenSize = 256
  /// LSTM layers of the encoder and of each decoder.
  public var layers = 2
  /// A bidirectional encoder (the paper's text) instead of a unidirectional one (the official code).
  public var bidirectional = false
  /// Dropout on embeddings, between LSTM layers and on the attention output (training only).
  public var dropout: Float = 0.3
  /// Luong score: `general` or `dot`.
  public var attention = "general"

  public init() {}

  public init(embeddingSize: Int, hiddenSize: Int, layers: Int = 2, bidirectional: Bool = false, dropout: Float = 0.3) {
    self.embeddingSize = embeddingSize
    self.hiddenSize = hiddenSize
    self.layers = layers
    self.bidirectional = bidirectional
    self.dropout = dropout
  }
}

/// The decoder of one task: its own embedding, a multi-layer LSTM started from the encoder's final
/// states, Luong attention on the top layer (no input feeding) and an output projection.
public final class TaskDecoder: Module {
  public let embedding: Embedding
  public let lstm: LSTM
  public let attention: LuongAttention
  public let projection: Linear
  public let vocabularySize: Int

  public init(vocabularySize: Int, config: Seq2SeqConfig, rng: inout SeededRandom) {
    self.vocabularySize = vocabularySize
    embedding = Embedding(
      vocabularySize: vocabularySize, embeddingSize: config.embeddingSize, initializer: .normal(0.1), rng: &rng)
    lstm = LSTM(
      inputSize: config.embeddingSize, hiddenSize: config.hiddenSize, numLayers: config.layers,
      dropout: config.dropout, rng: &rng)
    attention = LuongAttention(
      hiddenSize: config.hiddenSize, score: config.attention == "dot" ? .dot : .general, rng: &rng)
    projection = Linear(config.hiddenSize, vocabularySize, rng: &rng)
  }

  public var namedParameters: [(String, Variable)] {
    prefixed("embedding", embedding) + prefixed("lstm", lstm) + prefixed("attention", attention)
      + prefixed("projection", projection)
  }
}

/// What the encoder hands to a decoder: the attention memory `[Ts, B, H]`, its `[B, Ts]` mask and
/// the initial state of every decoder layer.
public struct EncodedSource {
  public var memory: Variable
  public var mask: Tensor
  public var states: [LSTMState]
}

/// The loss and token statistics of one teacher-forced pass over a batch.
public struct Seq2SeqStepResult: Sendable, Equatable {
  /// Mean cross-entropy per real target token.
  public var loss: Float
  /// Real target tokens (END included).
  public var tokens: Int
  /// Tokens whose argmax prediction is right.
  public var correct: Int
  /// Global gradient norm before clipping (training steps only).
  public var gradientNorm: Float

  public init(loss: Float, tokens: Int, correct: Int, gradientNorm: Float = .nan) {
    self.loss = loss
    self.tokens = tokens
    self.correct = correct
    self.gradientNorm = gradientNorm
  }

  public var accuracy: Float { tokens > 0 ? Float(correct) / Float(tokens) : 0 }
}

/// A shared-encoder, multi-decoder sequence-to-sequence model (Niehues & Cho 2017; AutoLoss NMT):
/// a shared source embedding and multi-layer LSTM encoder (optionally bidirectional, whose two
/// directions are projected to H for the memory and summed for the decoder's initial states), and
/// one ``TaskDecoder`` per task. Sequences are time-major (see ``NMTBatch``).
///
/// ```swift
/// var rng = SeededRandom(seed: 1)
/// let model = Seq2SeqModel(sourceVocabularySize: 8000, targetVocabularySizes: [8000], config: Seq2SeqConfig(), rng: &rng)
/// let adam = Adam(learningRate: 5e-4)
/// let r = model.trainingStep(task: 0, batch: batch, optimizer: adam, rng: &rng)
/// ```
public final class Seq2SeqModel: Module {
  public let config: Seq2SeqConfig
  public let sourceEmbedding: Embedding
  public let encoder: LSTM
  /// Projects bidirectional encoder outputs `[.., 2H]` to the attention size H.
  public let bridge: Linear?
  public let decoders: [TaskDecoder]

  public init(
    sourceVocabularySize: Int, targetVocabularySizes: [Int], config: Seq2SeqConfig, rng: inout SeededRandom
  ) {
    precondition(!targetVocabularySizes.isEmpty, "the model needs at least one decoder")
    self.config = config
    sourceEmbedding = Embedding(
      vocabularySize: sourceVocabularySize, embeddingSize: config.embeddingSize, initializer: .normal(0.1),
      rng: &rng)
    encoder = LSTM(
      inputSize: config.embeddingSize, hiddenSize: config.hiddenSize, numLayers: config.layers,
      bidirectional: config.bidirectional, dropout: config.dropout, rng: &rng)
    bridge = config.bidirectional ? Linear(2 * config.hiddenSize, config.hiddenSize, bias: false, rng: &rng) : nil
    var decoders: [TaskDecoder] = []
    for v in targetVocabularySizes { decoders.append(TaskDecoder(vocabularySize: v, config: config, rng: &rng)) }
    self.decoders = decoders
  }

  /// The shared parameters (θ_e): source embedding, encoder and bridge.
  public var encoderParameters: [(String, Variable)] {
    var list = prefixed("source_embedding", sourceEmbedding) + prefixed("encoder", encoder)
    if let bridge { list += prefixed("bridge", bridge) }
    return list
  }

  public var namedParameters: [(String, Variable)] {
    var list = encoderParameters
    for (i, d) in decoders.enumerated() { list += prefixed("decoder\(i)", d) }
    return list
  }

  /// θ_e ∪ θ_d(task): what one action of `task` updates.
  public func parameters(task: Int) -> [Variable] {
    encoderParameters.map(\.1) + decoders[task].parameters
  }

  /// Runs the encoder over the batch's source.
  public func encode(_ batch: NMTBatch, training: Bool, rng: inout SeededRandom) -> EncodedSource {
    let (ts, b) = (batch.sourceLength, batch.batchSize)
    var x = sourceEmbedding(batch.sourceIDs, shape: [ts, b])
    x = dropout(x, p: config.dropout, rng: &rng, training: training)
    let r = encoder(x, lengths: batch.sourceLengths, training: training, rng: &rng)
    var memory = r.output
    var states = r.states
    if let bridge {
      memory = bridge(memory.reshaped([ts * b, 2 * config.hiddenSize])).reshaped([ts, b, config.hiddenSize])
      states = stride(from: 0, to: states.count, by: 2).map { i in
        LSTMState(h: states[i].h + states[i + 1].h, c: states[i].c + states[i + 1].c)
      }
    }
    return EncodedSource(
      memory: memory, mask: LuongAttention.mask(lengths: batch.sourceLengths, maxLength: ts), states: states)
  }

  /// Teacher-forced logits `[Td·B, V]` of `task` for the batch.
  public func logits(task: Int, batch: NMTBatch, encoded: EncodedSource, training: Bool, rng: inout SeededRandom)
    -> Variable
  {
    let d = decoders[task]
    let (td, b, h) = (batch.targetLength, batch.batchSize, config.hiddenSize)
    var y = d.embedding(batch.decoderInputs, shape: [td, b])
    y = dropout(y, p: config.dropout, rng: &rng, training: training)
    let r = d.lstm(y, initialStates: encoded.states, lengths: batch.targetLengths, training: training, rng: &rng)
    var att = d.attention(query: r.output, memory: encoded.memory, sourceMask: encoded.mask).output
    att = dropout(att, p: config.dropout, rng: &rng, training: training)
    return d.projection(att.reshaped([td * b, h]))
  }

  /// Mean masked cross-entropy of `task` on the batch, with token statistics.
  public func loss(
    task: Int, batch: NMTBatch, training: Bool, rng: inout SeededRandom
  ) -> (loss: Variable, result: Seq2SeqStepResult) {
    let encoded = encode(batch, training: training, rng: &rng)
    let z = logits(task: task, batch: batch, encoded: encoded, training: training, rng: &rng)
    let loss = softmaxCrossEntropy(z, labels: batch.decoderTargets, mask: batch.targetMask)
    let predictions = z.value.argmax()
    var correct = 0
    for i in 0..<predictions.count where batch.targetMask[i] != 0 && predictions[i] == batch.decoderTargets[i] {
      correct += 1
    }
    return (loss, Seq2SeqStepResult(loss: loss.value.scalar, tokens: batch.tokenCount, correct: correct))
  }

  /// One optimizer step of `task` on the batch: forward with dropout, backward, global-norm
  /// clipping of θ_e ∪ θ_d(task) to `clipNorm`, then `optimizer.step`.
  @discardableResult
  public func trainingStep(
    task: Int, batch: NMTBatch, optimizer: Optimizer, clipNorm: Float = 1, rng: inout SeededRandom
  ) -> Seq2SeqStepResult {
    let params = parameters(task: task)
    for p in params { p.zeroGrad() }
    var (loss, result) = self.loss(task: task, batch: batch, training: true, rng: &rng)
    loss.backward()
    result.gradientNorm = clipGradients(params, maxNorm: clipNorm)
    optimizer.step(params)
    for p in params { p.zeroGrad() }
    return result
  }

  /// Teacher-forced evaluation of `task` without dropout or tape: summed NLL and token counts.
  public func evaluate(task: Int, batches: [NMTBatch]) -> (nll: Double, tokens: Int, correct: Int) {
    var rng = SeededRandom(seed: 0)
    var nll = 0.0
    var tokens = 0
    var correct = 0
    GradMode.withoutRecording {
      for batch in batches {
        let r = loss(task: task, batch: batch, training: false, rng: &rng).result
        nll += Double(r.loss) * Double(r.tokens)
        tokens += r.tokens
        correct += r.correct
      }
    }
    return (nll, tokens, correct)
  }
}

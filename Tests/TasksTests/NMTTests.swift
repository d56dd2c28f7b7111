import AutoLoss
import Engine
import XCTest

@testable import Tasks

/// A tiny synthetic multi-task corpus: MT copies the source reversed (ids shifted), the tagging
/// tasks label each token by parity / by id mod 3.
enum NMTFixtures {
  static func corpus(pairs: Int = 64, vocabulary: Int = 12, seed: UInt64 = 1) -> NMTCorpus {
    var rng = SeededRandom(seed: seed)
    func sentences(_ n: Int) -> [[Int32]] {
      (0..<n).map { _ in (0..<(2 + rng.int(below: 5))).map { _ in Int32(4 + rng.int(below: vocabulary - 4)) } }
    }
    func task(_ name: String, labels: Int, _ f: @escaping ([Int32]) -> [Int32]) -> NMTTaskData {
      func split(_ n: Int) -> SequencePairs {
        let s = sentences(n)
        return SequencePairs(source: SequenceList(s), target: SequenceList(s.map(f)))
      }
      return NMTTaskData(
        name: name, train: split(pairs), validation: split(pairs / 4), test: split(pairs / 4),
        targetVocabularySize: labels)
    }
    return NMTCorpus(
      sourceVocabularySize: vocabulary,
      tasks: [
        task("mt", labels: vocabulary) { $0.reversed() },
        task("pos", labels: 6) { $0.map { 4 + $0 % 2 } },
        task("dep", labels: 7) { $0.map { 4 + $0 % 3 } },
      ])
  }

  static func config() -> NMTTaskConfig {
    var c = NMTTaskConfig()
    c.model = Seq2SeqConfig(embeddingSize: 8, hiddenSize: 16, layers: 2, dropout: 0.1)
    c.batchSize = 8
    c.learningRate = 1e-2
    c.validateEvery = 10
    c.maxSteps = 40
    c.evaluationBatchSize = 16
    return c
  }
}

final class NMTBatchTests: XCTestCase {
  func testPaddingMasksAndTimeMajorLayout() {
    let pairs = SequencePairs(
      source: SequenceList([[5, 6, 7], [8]]), target: SequenceList([[9], [10, 11]]))
    let b = NMTBatch(pairs, indices: [0, 1])
    XCTAssertEqual(b.batchSize, 2)
    XCTAssertEqual(b.sourceLength, 3)
    XCTAssertEqual(b.targetLength, 3)
    // [T, B] flattened t-major: t=0 → (5, 8), t=1 → (6, PAD), t=2 → (7, PAD).
    XCTAssertEqual(b.sourceIDs, [5, 8, 6, 3, 7, 3])
    XCTAssertEqual(b.sourceLengths, [3, 1])
    XCTAssertEqual(b.decoderInputs, [1, 1, 9, 10, 3, 11])
    XCTAssertEqual(b.decoderTargets, [9, 10, 2, 11, 3, 2])
    XCTAssertEqual(b.targetMask, [1, 1, 1, 1, 0, 1])
    XCTAssertEqual(b.targetLengths, [2, 3])
    XCTAssertEqual(b.tokenCount, 5)
  }

  /// Padding must not change a sentence's loss: the loss of a batch equals the token-weighted
  /// mean of the losses of its sentences alone.
  func testPaddingDoesNotChangeTheLoss() {
    var rng = SeededRandom(seed: 2)
    let model = Seq2SeqModel(
      sourceVocabularySize: 12, targetVocabularySizes: [12],
      config: Seq2SeqConfig(embeddingSize: 6, hiddenSize: 8, layers: 2, bidirectional: true, dropout: 0), rng: &rng)
    let pairs = SequencePairs(
      source: SequenceList([[5, 6, 7, 8], [9], [4, 5]]), target: SequenceList([[9], [10, 11, 4], [6, 7]]))
    let joint = model.evaluate(task: 0, batches: [NMTBatch(pairs, indices: [0, 1, 2])])
    var nll = 0.0
    var tokens = 0
    for i in 0..<3 {
      let e = model.evaluate(task: 0, batches: [NMTBatch(pairs, indices: [i])])
      nll += e.nll
      tokens += e.tokens
    }
    XCTAssertEqual(joint.tokens, tokens)
    XCTAssertEqual(joint.nll, nll, accuracy: 1e-4 * abs(nll))
  }

  func testBatcherCoversEveryPairOncePerEpoch() {
    let pairs = SequencePairs(
      source: SequenceList((0..<23).map { [Int32](repeating: 5, count: 1 + $0 % 7) }),
      target: SequenceList((0..<23).map { _ in [6] }))
    var batcher = NMTBatcher(pairs, batchSize: 5, bucketBatches: 2)
    var rng = SeededRandom(seed: 1)
    var seen: [Int] = []
    for _ in 0..<5 { seen += batcher.next(rng: &rng) }
    XCTAssertEqual(seen.sorted(), Array(0..<23))
    XCTAssertEqual(batcher.epochs, 1)
  }
}

final class NMTMetricTests: XCTestCase {
  func testPerplexity() {
    XCTAssertEqual(perplexity(nll: 0, tokens: 10), 1)
    XCTAssertEqual(perplexity(nll: 10 * log(4.0), tokens: 10), 4, accuracy: 1e-5)
    // A uniform model over V classes has perplexity V.
    let v = 7
    let logits = Variable(Tensor.zeros([5, v]))
    let ce = softmaxCrossEntropy(logits, labels: [0, 1, 2, 3, 4])
    XCTAssertEqual(perplexity(nll: Double(ce.value.scalar) * 5, tokens: 5), Float(v), accuracy: 1e-4)
  }

  func testBLEUPerfectMatch() {
    let s = ["the", "cat", "sat", "on", "the", "mat"]
    let b = corpusBLEU(hypotheses: [s], references: [s])
    XCTAssertEqual(b.score, 1, accuracy: 1e-12)
    XCTAssertEqual(b.brevityPenalty, 1)
  }

  /// Hand-computed: hyp "the the the the the the the" vs ref "the cat is on the mat":
  /// p1 = 2/7 (clipped), p2 = 0 → BLEU 0.
  func testBLEUClipsCountsAndZeroPrecisionGivesZero() {
    let b = corpusBLEU(
      hypotheses: [Array(repeating: "the", count: 7)], references: [["the", "cat", "is", "on", "the", "mat"]])
    XCTAssertEqual(b.precisions[0], 2.0 / 7.0, accuracy: 1e-12)
    XCTAssertEqual(b.precisions[1], 0)
    XCTAssertEqual(b.score, 0)
  }

  /// Hand-computed corpus BLEU with a brevity penalty:
  /// hyp1 = a b c d (ref1 = a b c d e): n-gram matches 4/4, 3/3, 2/2, 1/1;
  /// hyp2 = x b c y (ref2 = a b c y z): 1-grams b c y = 3/4, 2-grams "b c", "c y" = 2/3,
  /// 3-grams "b c y" = 1/2, 4-grams 0/1.
  /// Corpus: p1 = 7/8, p2 = 5/6, p3 = 3/4, p4 = 1/2; c = 8, r = 10, BP = exp(1 − 10/8).
  func testBLEUCorpusAggregationAndBrevityPenalty() {
    let b = corpusBLEU(
      hypotheses: [["a", "b", "c", "d"], ["x", "b", "c", "y"]],
      references: [["a", "b", "c", "d", "e"], ["a", "b", "c", "y", "z"]])
    XCTAssertEqual(b.precisions, [7.0 / 8, 5.0 / 6, 3.0 / 4, 1.0 / 2])
    XCTAssertEqual(b.brevityPenalty, exp(1 - 10.0 / 8), accuracy: 1e-12)
    let expected = exp(1 - 10.0 / 8) * pow(7.0 / 8 * 5.0 / 6 * 3.0 / 4 * 1.0 / 2, 0.25)
    XCTAssertEqual(b.score, expected, accuracy: 1e-12)
    XCTAssertEqual(b.hypothesisLength, 8)
    XCTAssertEqual(b.referenceLength, 10)
  }

  func testLongerHypothesisHasNoPenalty() {
    let b = corpusBLEU(hypotheses: [[1, 2, 3, 4, 5, 6]], references: [[1, 2, 3, 4, 5]])
    XCTAssertEqual(b.brevityPenalty, 1)
    // p1 = 5/6, p2 = 4/5, p3 = 3/4, p4 = 2/3.
    XCTAssertEqual(b.score, pow(5.0 / 6 * 4.0 / 5 * 3.0 / 4 * 2.0 / 3, 0.25), accuracy: 1e-12)
  }

  func testDetokenizeJoinsBPEPieces() {
    let vocab = ["<unk>", "<s>", "</s>", "<pad>", "low@@", "er", "new", "est"]
    XCTAssertEqual(detokenize([4, 5, 6, 4, 7], vocabulary: vocab), ["lower", "new", "lowest"])
  }
}

final class NMTTaskTests: XCTestCase {
  func testStepsFeaturesAndChecksAreFinite() {
    let task = NMTTask(corpus: NMTFixtures.corpus(), config: NMTFixtures.config())
    XCTAssertEqual(task.featureNames.count, 18)
    var schedule = FixedPattern([0, 1, 2])
    let trace = runEpisode(task: task, schedule: &schedule, seed: 4)
    XCTAssertEqual(trace.steps, 40)
    XCTAssertEqual(trace.outcome, "step cap")
    XCTAssertEqual(task.checks.map(\.step), [0, 10, 20, 30, 40])
    XCTAssertTrue(trace.features.allSatisfy(\.isFinite))
    XCTAssertTrue(task.features().allSatisfy(\.isFinite))
    XCTAssertEqual(task.features().count, 18)
    XCTAssertTrue(trace.losses.allSatisfy { $0.isFinite || $0.isNaN })
    XCTAssertTrue(task.checks.allSatisfy { $0.error.isFinite && $0.error > 1 })
    XCTAssertEqual(task.taskSteps, [14, 13, 13])
    XCTAssertTrue(task.testError().isFinite)
  }

  func testProgressFeatureIsAppendedAndCountsTheBudget() {
    var config = NMTFixtures.config()
    config.progressFeature = true
    let task = NMTTask(corpus: NMTFixtures.corpus(), config: config)
    XCTAssertEqual(task.featureNames.count, 19)
    XCTAssertEqual(task.featureNames.last, "progress")
    XCTAssertEqual(NMTTask.featureCount(taskCount: 3, config: config), 19)
    XCTAssertEqual(NMTTask.featureCount(taskCount: 3, config: NMTFixtures.config()), 18)
    task.reset(seed: 1)
    XCTAssertEqual(task.features().last, 0)
    for _ in 0..<10 { task.step(0) }
    XCTAssertEqual(task.features().count, 19)
    XCTAssertEqual(task.features().last!, 10 / Float(config.maxSteps), accuracy: 1e-7)
  }

  func testMTOnlyTrainingLowersPerplexity() {
    var config = NMTFixtures.config()
    config.maxSteps = 80
    config.model.dropout = 0
    let task = NMTTask(corpus: NMTFixtures.corpus(), config: config)
    var schedule = FixedPattern([0])
    let trace = runEpisode(task: task, schedule: &schedule, seed: 1)
    XCTAssertLessThan(trace.bestValidationError, 0.7 * trace.checks[0].error)
  }

  func testGreedyDecodingStopsAndReturnsIDs() {
    let corpus = NMTFixtures.corpus()
    var rng = SeededRandom(seed: 3)
    let model = Seq2SeqModel(
      sourceVocabularySize: 12, targetVocabularySizes: [12, 6, 7], config: NMTFixtures.config().model, rng: &rng)
    let out = model.greedyDecode(task: 0, pairs: corpus.tasks[0].test, batchSize: 5, maxLength: 9)
    XCTAssertEqual(out.count, corpus.tasks[0].test.count)
    XCTAssertTrue(out.allSatisfy { $0.count <= 9 && $0.allSatisfy { $0 >= 0 && $0 < 12 } })
  }

  func testOnlinePPORunRecordsSegments() {
    let task = NMTTask(corpus: NMTFixtures.corpus(), config: NMTFixtures.config())
    let trainer = PPOTrainer(featureCount: 18, actionCount: 3, config: PPOConfig(), seed: 1)
    let trace = runOnlinePPO(task: task, trainer: trainer, seed: 2, exploration: 0.5)
    XCTAssertEqual(trace.episode.actions.count, 40)
    XCTAssertEqual(trace.segmentSteps, [10, 20, 30, 40])
    // The step-0 check is left out of the reward history: segments ending at 10 and 20 have no
    // reward, the others do (and each triggers one controller update).
    XCTAssertTrue(trace.segmentRewards[0].isNaN && trace.segmentRewards[1].isNaN)
    XCTAssertTrue(trace.segmentRewards.dropFirst(2).allSatisfy(\.isFinite))
    XCTAssertEqual(trace.updateStats.count, 2)
    XCTAssertEqual(trace.episode.probabilities.count, 40 * 3)
  }
}

import AutoLoss
import Engine
import Foundation
import Tasks

// Codable forms of the NMT runs, so that the job executor can carry them between MPI ranks and the
// meta-training can save them in its resume snapshots. Floats and doubles are coded as their bit
// patterns: a run that crossed a rank or a snapshot is bit-identical to one that did not.

extension NMTScheduleKind: Codable {}

extension KeyedEncodingContainer {
  fileprivate mutating func encodeBits(_ value: Double, forKey key: Key) throws {
    try encode(value.bitPattern, forKey: key)
  }
}

extension KeyedDecodingContainer {
  fileprivate func decodeBits(_ type: Double.Type, forKey key: Key) throws -> Double {
    Double(bitPattern: try decode(UInt64.self, forKey: key))
  }
}

extension NMTRunSpec: Codable {
  enum CodingKeys: String, CodingKey {
    case schedule, label, seed, mix, switchStep, maxSteps, controller, learn, exploration, evaluateBLEU
  }

  init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      schedule: try c.decode(NMTScheduleKind.self, forKey: .schedule), label: try c.decode(String.self, forKey: .label),
      seed: try c.decode(UInt64.self, forKey: .seed), maxSteps: try c.decode(Int.self, forKey: .maxSteps))
    mix = try c.decodeExact([Float].self, forKey: .mix)
    switchStep = try c.decode(Int.self, forKey: .switchStep)
    controller = try c.decodeIfPresent(ParameterSet.self, forKey: .controller)?.tensors
    learn = try c.decode(Bool.self, forKey: .learn)
    exploration = try c.decodeExact(Float.self, forKey: .exploration)
    evaluateBLEU = try c.decode(Bool.self, forKey: .evaluateBLEU)
  }

  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(schedule, forKey: .schedule)
    try c.encode(label, forKey: .label)
    try c.encode(seed, forKey: .seed)
    try c.encodeExact(mix, forKey: .mix)
    try c.encode(switchStep, forKey: .switchStep)
    try c.encode(maxSteps, forKey: .maxSteps)
    try c.encodeIfPresent(controller.map(ParameterSet.init), forKey: .controller)
    try c.encode(learn, forKey: .learn)
    try c.encodeExact(exploration, forKey: .exploration)
    try c.encode(evaluateBLEU, forKey: .evaluateBLEU)
  }
}

extension NMTRunResult: Codable {
  enum CodingKeys: String, CodingKey {
    case spec, trace, checks, bestCheckPerplexity, validationPerplexity, testPerplexity, bleu, testAccuracy, seconds,
      cpuSeconds, validationSeconds, finalEvaluationSeconds, switchedAt, segmentSteps, segmentRewards, updateStats,
      controller
  }

  init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      spec: try c.decode(NMTRunSpec.self, forKey: .spec), trace: try c.decode(EpisodeTrace.self, forKey: .trace),
      checks: try c.decode([NMTCheck].self, forKey: .checks),
      bestCheckPerplexity: try c.decodeExact(Float.self, forKey: .bestCheckPerplexity),
      validationPerplexity: try c.decodeExact(Float.self, forKey: .validationPerplexity),
      testPerplexity: try c.decodeExact(Float.self, forKey: .testPerplexity),
      bleu: try c.decodeIfPresent(BLEUScore.self, forKey: .bleu),
      testAccuracy: try c.decodeExact([Float].self, forKey: .testAccuracy),
      seconds: try c.decodeBits(Double.self, forKey: .seconds),
      validationSeconds: try c.decodeBits(Double.self, forKey: .validationSeconds))
    cpuSeconds = try c.decodeBits(Double.self, forKey: .cpuSeconds)
    finalEvaluationSeconds = try c.decodeBits(Double.self, forKey: .finalEvaluationSeconds)
    switchedAt = try c.decode(Int.self, forKey: .switchedAt)
    segmentSteps = try c.decode([Int].self, forKey: .segmentSteps)
    segmentRewards = try c.decodeExact([Float].self, forKey: .segmentRewards)
    updateStats = try c.decode([PPOUpdateStats].self, forKey: .updateStats)
    controller = try c.decode(ParameterSet.self, forKey: .controller).tensors
  }

  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(spec, forKey: .spec)
    try c.encode(trace, forKey: .trace)
    try c.encode(checks, forKey: .checks)
    try c.encodeExact(bestCheckPerplexity, forKey: .bestCheckPerplexity)
    try c.encodeExact(validationPerplexity, forKey: .validationPerplexity)
    try c.encodeExact(testPerplexity, forKey: .testPerplexity)
    try c.encodeIfPresent(bleu, forKey: .bleu)
    try c.encodeExact(testAccuracy, forKey: .testAccuracy)
    try c.encodeBits(seconds, forKey: .seconds)
    try c.encodeBits(cpuSeconds, forKey: .cpuSeconds)
    try c.encodeBits(validationSeconds, forKey: .validationSeconds)
    try c.encodeBits(finalEvaluationSeconds, forKey: .finalEvaluationSeconds)
    try c.encode(switchedAt, forKey: .switchedAt)
    try c.encode(segmentSteps, forKey: .segmentSteps)
    try c.encodeExact(segmentRewards, forKey: .segmentRewards)
    try c.encode(updateStats, forKey: .updateStats)
    try c.encode(ParameterSet(controller), forKey: .controller)
  }
}

import AutoLoss
import Foundation

// Bit-exact Codable forms of the NMT results (floats and doubles as bit patterns), so that runs can
// cross MPI ranks and resume snapshots unchanged.

extension NMTCheck: Codable {
  enum CodingKeys: String, CodingKey {
    case step, validationLoss, validationAccuracy, trainingLoss, trainingAccuracy, taskSteps
  }

  /// Decodes a check; floats are read from their bit patterns.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      step: try c.decode(Int.self, forKey: .step),
      validationLoss: try c.decodeExact([Float].self, forKey: .validationLoss),
      validationAccuracy: try c.decodeExact([Float].self, forKey: .validationAccuracy),
      trainingLoss: try c.decodeExact([Float].self, forKey: .trainingLoss),
      trainingAccuracy: try c.decodeExact([Float].self, forKey: .trainingAccuracy),
      taskSteps: try c.decode([Int].self, forKey: .taskSteps))
  }

  /// Encodes a check; floats are written as their bit patterns.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(step, forKey: .step)
    try c.encodeExact(validationLoss, forKey: .validationLoss)
    try c.encodeExact(validationAccuracy, forKey: .validationAccuracy)
    try c.encodeExact(trainingLoss, forKey: .trainingLoss)
    try c.encodeExact(trainingAccuracy, forKey: .trainingAccuracy)
    try c.encode(taskSteps, forKey: .taskSteps)
  }
}

extension BLEUScore: Codable {
  enum CodingKeys: String, CodingKey { case score, precisions, brevityPenalty, hypothesisLength, referenceLength }

  /// Decodes a score; doubles are read from their bit patterns.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      score: Double(bitPattern: try c.decode(UInt64.self, forKey: .score)),
      precisions: try c.decode([UInt64].self, forKey: .precisions).map(Double.init(bitPattern:)),
      brevityPenalty: Double(bitPattern: try c.decode(UInt64.self, forKey: .brevityPenalty)),
      hypothesisLength: try c.decode(Int.self, forKey: .hypothesisLength),
      referenceLength: try c.decode(Int.self, forKey: .referenceLength))
  }

  /// Encodes a score; doubles are written as their bit patterns.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(score.bitPattern, forKey: .score)
    try c.encode(precisions.map(\.bitPattern), forKey: .precisions)
    try c.encode(brevityPenalty.bitPattern, forKey: .brevityPenalty)
    try c.encode(hypothesisLength, forKey: .hypothesisLength)
    try c.encode(referenceLength, forKey: .referenceLength)
  }
}

import AutoLoss
import Foundation
import Store

/// One trainer's outcome on the known-answer tasks (issue 12 section 2), as the `known-answer`
/// stage writes it (the report reads it with its own reader, `StoredKnownAnswerRow`).
public struct KnownAnswerRow: Sendable, Equatable {
  /// The trainer: `reinforce` or `antithetic`.
  public var algorithm: String
  /// State-dependent task: mean fraction of correct choices (actions sampled).
  public var correctFraction: Double
  /// State-dependent task: the best constant P(action 1) on the same seeds.
  public var bestConstantRatio: Double
  /// State-dependent task: mean paired reward difference over the best constant ratio, its SE.
  public var margin: Double
  public var standardError: Double
  /// Ratio task: the best share of action 1 (p*), the controller's realized share and mean P(action 1).
  public var targetRatio: Double
  public var realizedRatio: Double
  public var meanProbability: Double
  /// Training episodes of each task.
  public var stateEpisodes: Int
  public var ratioEpisodes: Int
  /// Wall time of the whole suite for this trainer (training and evaluation of both tasks).
  public var seconds: Double
  /// The criteria of issue 12: ≥ 90 % correct and margin > 3 SE; |realized − p*| ≤ 0.05.
  public var statePassed: Bool
  public var ratioPassed: Bool

  /// margin / SE (infinite when the SE is 0).
  public var marginInStandardErrors: Double { standardError > 0 ? margin / standardError : .infinity }

  public init(_ result: KnownAnswer.SuiteResult, seconds: Double) {
    let s = result.stateDependent
    algorithm = result.algorithm.rawValue
    correctFraction = Double(s.correctFraction)
    bestConstantRatio = Double(s.bestConstantRatio)
    margin = Double(s.margin)
    standardError = Double(s.standardError)
    targetRatio = Double(result.ratio.targetRatio)
    realizedRatio = Double(result.ratio.realizedRatio)
    meanProbability = Double(result.ratio.meanProbability)
    stateEpisodes = KnownAnswer.suiteConfig(result.algorithm, ratioTask: false).episodes
    ratioEpisodes = KnownAnswer.suiteConfig(result.algorithm, ratioTask: true).episodes
    self.seconds = seconds
    statePassed = result.stateDependentPassed
    ratioPassed = result.ratioPassed
  }

  /// Writes the row into `group` (`state_dependent/` and `ratio/` subgroups of attributes).
  func write(to group: HDF5Group, rewards: [Float], constantRewards: [Float]) throws {
    try group.setAttribute("seconds", seconds)
    let s = try group.createGroup("state_dependent")
    try s.setAttribute("correct_fraction", correctFraction)
    try s.setAttribute("best_constant_ratio", bestConstantRatio)
    try s.setAttribute("margin", margin)
    try s.setAttribute("standard_error", standardError)
    try s.setAttribute("margin_in_se", marginInStandardErrors)
    try s.setAttribute("episodes", Int64(stateEpisodes))
    try s.setAttribute("passed", Int64(statePassed ? 1 : 0))
    try s.write("controller_reward", rewards, shape: [rewards.count])
    try s.write("constant_ratio_reward", constantRewards, shape: [constantRewards.count])
    let r = try group.createGroup("ratio")
    try r.setAttribute("target_ratio", targetRatio)
    try r.setAttribute("realized_ratio", realizedRatio)
    try r.setAttribute("mean_probability", meanProbability)
    try r.setAttribute("episodes", Int64(ratioEpisodes))
    try r.setAttribute("passed", Int64(ratioPassed ? 1 : 0))
  }

  init(
    algorithm: String, correctFraction: Double, bestConstantRatio: Double, margin: Double, standardError: Double,
    targetRatio: Double, realizedRatio: Double, meanProbability: Double, stateEpisodes: Int, ratioEpisodes: Int,
    seconds: Double, statePassed: Bool, ratioPassed: Bool
  ) {
    self.algorithm = algorithm
    self.correctFraction = correctFraction
    self.bestConstantRatio = bestConstantRatio
    self.margin = margin
    self.standardError = standardError
    self.targetRatio = targetRatio
    self.realizedRatio = realizedRatio
    self.meanProbability = meanProbability
    self.stateEpisodes = stateEpisodes
    self.ratioEpisodes = ratioEpisodes
    self.seconds = seconds
    self.statePassed = statePassed
    self.ratioPassed = ratioPassed
  }
}

/// The `known-answer` stage: trains a controller with each trainer (REINFORCE, antithetic) on the
/// two known-answer tasks of ``KnownAnswer`` through the stage executor, measures it on held-out
/// seeds and writes `artifacts/known-answer/suite/vNNNN.h5` (schema `autoloss/known-answer`):
/// root attributes `verdict`, `criteria`, `seed`, `evaluation_episodes`, `trainer_names`, and per trainer
/// `trainers/<algorithm>/{state_dependent,ratio}` with the numbers and pass flags of
/// ``KnownAnswerRow``; and the online PPO check on the multi-task stand-in
/// (``KnownAnswer/runOnlinePPOCheck(config:controllerSeeds:metaEpisodes:evaluationRuns:)``) per ratio
/// reference under `online_ppo/<reference>` (listed in `online_ppo_references`). Takes seconds; it
/// checks the machinery, not a paper result.
public struct KnownAnswerStage {
  public static let stage = "known-answer"
  public static let name = "suite"
  public static let schema = "autoloss/known-answer"
  public static let algorithms: [ControllerAlgorithm] = [.reinforce, .antithetic]
  /// The online PPO ratio references checked on the multi-task stand-in; the first must pass.
  public static let ratioReferences: [PPORatioReference] = [.behaviour, .previousPolicy, .decoupled]
  public static let passSentence = "the trainers learn when there is something to learn"
  public static let criteria =
    "state-dependent task: >= 90 % correct choices and a reward margin over the best constant ratio (tuned on the "
    + "same seeds, grid 0, 0.1, ..., 1) above 3 standard errors of the paired differences; ratio task: the realized "
    + "share of action 1 within 0.05 of p* (actions sampled, held-out seeds)"

  public let context: StageContext
  public var seed: UInt64
  public var evaluationEpisodes: Int

  public init(context: StageContext, seed: UInt64 = 11, evaluationEpisodes: Int = 30) {
    self.context = context
    self.seed = seed
    self.evaluationEpisodes = evaluationEpisodes
  }

  /// One line: ``passSentence`` when every check passed, otherwise which checks failed.
  public static func verdict(_ rows: [KnownAnswerRow]) -> String {
    var failed: [String] = []
    for r in rows {
      if !r.statePassed {
        failed.append(
          "\(r.algorithm) state-dependent task ("
            + String(format: "%.1f %% correct, margin %.1f SE", r.correctFraction * 100, r.marginInStandardErrors) + ")"
        )
      }
      if !r.ratioPassed {
        failed.append(
          "\(r.algorithm) ratio task (" + String(format: "ratio %.3f vs p* %.2f", r.realizedRatio, r.targetRatio) + ")")
      }
    }
    if rows.isEmpty { return "no trainer was checked" }
    return failed.isEmpty ? passSentence : "failed: " + failed.joined(separator: "; ")
  }

  /// The verdict of the online PPO check: with the configured ratio, every frozen controller must
  /// beat main only and the untrained controller (nil when it does).
  public static func onlinePPOVerdict(_ results: [(PPORatioReference, KnownAnswer.OnlinePPOResult)]) -> String? {
    guard let (reference, r) = results.first, !r.passed else { return nil }
    let frozen = r.controllerPerplexity.map { String(format: "%.2f", $0) }.joined(separator: ", ")
    return "online PPO (\(reference.rawValue) ratio) on the multi-task stand-in (frozen \(frozen) vs main only "
      + String(format: "%.2f, untrained %.2f)", r.mainOnlyPerplexity, r.untrainedPerplexity)
  }

  /// Runs the suite for every trainer (a collective call under MPI) and writes the artifact on rank 0.
  public func run() throws -> (artifact: ResolvedArtifact, rows: [KnownAnswerRow]) {
    guard evaluationEpisodes >= 2 else {
      throw PipelineError("known-answer: expected at least 2 evaluation episodes, found \(evaluationEpisodes)")
    }
    var results: [(KnownAnswer.SuiteResult, KnownAnswerRow)] = []
    for algorithm in Self.algorithms {
      let start = Date()
      let result = try KnownAnswer.runSuite(
        algorithm: algorithm, seed: seed, executor: context.executor, evaluationEpisodes: evaluationEpisodes)
      let row = KnownAnswerRow(result, seconds: Date().timeIntervalSince(start))
      results.append((result, row))
      if context.showProgress {
        log(
          "known-answer \(algorithm.rawValue): "
            + String(
              format: "%.1f %% correct, margin %.1f SE, ratio %.3f (p* %.2f), %.1f s", row.correctFraction * 100,
              row.marginInStandardErrors, row.realizedRatio, row.targetRatio, row.seconds))
      }
    }
    var ppo: [(PPORatioReference, KnownAnswer.OnlinePPOResult, Double, PPOConfig)] = []
    for reference in Self.ratioReferences {
      let start = Date()
      var config = KnownAnswer.onlinePPOConfig
      config.ratioReference = reference
      let r = KnownAnswer.runOnlinePPOCheck(config: config)
      ppo.append((reference, r, Date().timeIntervalSince(start), config))
      if context.showProgress {
        log(
          "known-answer online PPO (\(reference.rawValue) ratio): frozen "
            + r.controllerPerplexity.map { String(format: "%.2f", $0) }.joined(separator: ", ")
            + String(
              format: ", main only %.2f, best mix %.2f (share %.1f), %.1f s", r.mainOnlyPerplexity, r.bestMixPerplexity,
              r.bestMixShare, Date().timeIntervalSince(start)))
      }
    }
    let rows = results.map(\.1)
    var verdict = Self.verdict(rows)
    if let failed = Self.onlinePPOVerdict(ppo.map { ($0.0, $0.1) }) {
      verdict = verdict == Self.passSentence ? "failed: \(failed)" : "\(verdict); \(failed)"
    }
    let configs = Self.algorithms.flatMap { a in [false, true].map { KnownAnswer.suiteConfig(a, ratioTask: $0) } }
    // Sorted keys: the recorded config must be the same text in every run (Foundation's key order is not).
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let configText = String(decoding: try encoder.encode(configs), as: UTF8.self)
    let artifact = try context.committedOnEveryRank {
      let writer = try context.store.writer(
        stage: Self.stage, name: Self.name,
        provenance: context.provenance(schema: Self.schema, config: configText, seed: seed, inputs: []))
      try writer.root.setAttribute("verdict", verdict)
      try writer.root.setAttribute("criteria", Self.criteria)
      try writer.root.setAttribute("seed", Int64(bitPattern: seed))
      try writer.root.setAttribute("evaluation_episodes", Int64(evaluationEpisodes))
      try writer.root.writeStrings("trainer_names", rows.map(\.algorithm))
      for (result, row) in results {
        try row.write(
          to: try writer.root.createGroup("trainers/\(row.algorithm)"), rewards: result.stateDependent.rewards,
          constantRewards: result.stateDependent.constantRewards)
      }
      try writer.root.writeStrings("online_ppo_references", ppo.map(\.0.rawValue))
      for (reference, r, seconds, config) in ppo {
        let g = try writer.root.createGroup("online_ppo/\(reference.rawValue)")
        try g.write("controller_perplexity", r.controllerPerplexity, shape: [r.controllerPerplexity.count])
        try g.write("controller_main_share", r.controllerMainShare, shape: [r.controllerMainShare.count])
        try g.setAttribute("main_only_perplexity", Double(r.mainOnlyPerplexity))
        try g.setAttribute("best_mix_share", Double(r.bestMixShare))
        try g.setAttribute("best_mix_perplexity", Double(r.bestMixPerplexity))
        try g.setAttribute("untrained_perplexity", Double(r.untrainedPerplexity))
        try g.setAttribute("switch_perplexity", Double(r.switchPerplexity))
        try g.setAttribute("meta_episodes", Int64(r.metaEpisodes))
        try g.setAttribute("passed", Int64(r.passed ? 1 : 0))
        try g.setAttribute("seconds", seconds)
        try g.setAttribute("config", String(decoding: try encoder.encode(config), as: UTF8.self))
      }
      return try writer.commit()
    }
    return (artifact, rows)
  }
}

import AutoLoss
import Engine
import Foundation
import Statistics
import Tasks

/// Settings of `gan calibrate` (key `calibration` of gan.json): fixed schedules run on the same seeds
/// with common random numbers, to measure whether the regime has anything for a controller to learn.
public struct GANCalibrationConfig: Codable, Sendable, Equatable {
  /// P(G step) of the coin schedules (each step a G step with this probability).
  public var coins: [Float] = [0.3, 0.5, 0.7, 0.85]
  /// Fixed D:G ratios.
  public var ratios: [[Int]] = [[1, 1], [1, 5], [5, 1]]
  /// Seeds every schedule runs on (the same seeds, common random numbers).
  public var seeds = 3
  /// The coin run a second time on every seed with other action draws (the pair noise).
  public var pairCoin: Float = 0.5
  /// The regime has something to learn when the spread of schedule means exceeds this many seed SDs.
  public var spreadFactor: Float = 2
  /// ± pairs of the configured antithetic trainer's first update, run after the fixed schedules to
  /// measure what a pair of perturbed controllers sees (0 = none; ``GANPerturbedPairs``).
  public var perturbedPairs = 0

  public init() {}

  public func validate() throws {
    for p in coins + [pairCoin] where !(p > 0 && p < 1) {
      throw PipelineError("calibration.coins, calibration.pairCoin: expected probabilities in (0, 1), found \(p)")
    }
    for r in ratios where r.count != 2 || r[0] < 1 || r[1] < 1 {
      throw PipelineError("calibration.ratios: expected pairs [D, G] of positive integers, found \(r)")
    }
    guard seeds >= 2 else { throw PipelineError("calibration.seeds: expected >= 2, found \(seeds)") }
    guard coins.count + ratios.count >= 2 else {
      throw PipelineError(
        "calibration: expected at least two schedules (coins + ratios), found \(coins.count + ratios.count)")
    }
    guard spreadFactor > 0 else { throw PipelineError("calibration.spreadFactor: expected > 0, found \(spreadFactor)") }
    guard perturbedPairs >= 0 else {
      throw PipelineError("calibration.perturbedPairs: expected >= 0, found \(perturbedPairs)")
    }
  }
}

/// A coin schedule drawing its actions from its own stream, so the same coin can be run twice on
/// one GAN seed with different action draws (the runs' data and noise still coincide).
public struct SeededCoin: Schedule {
  public let probabilityG: Float
  public let name: String
  private let actionSeed: UInt64
  private var rng: SeededRandom

  public init(probabilityG: Float, actionSeed: UInt64) {
    self.probabilityG = probabilityG
    self.actionSeed = actionSeed
    name = String(format: "coin P(G)=%.2f", probabilityG)
    rng = SeededRandom(seed: actionSeed)
  }

  public mutating func reset() { rng = SeededRandom(seed: actionSeed) }

  /// A G step when a uniform draw falls below P(G): coins of different P(G) on the same action
  /// stream differ only where their thresholds separate the draw.
  public mutating func decide(_ task: AlternatingTask, rng _: inout SeededRandom) -> Decision {
    let a = Float(rng.uniformDouble()) < probabilityG ? 1 : 0
    return .action(a, probabilities: [1 - probabilityG, probabilityG])
  }
}

/// One calibration run (Codable for the job executor).
public struct GANCalibrationRun: Codable, Sendable, Equatable {
  public var schedule: String
  /// Nominal P(G step): the coin's probability or g/(d+g) of a ratio.
  public var probabilityG: Float
  public var seed: UInt64
  /// 0 for the first action stream, 1 for the pair partner.
  public var draw: Int
  public var finalIS: Float
  public var bestISEMA: Float
  public var realizedG: Float
  public var steps: Int
  public var outcome: String
  public var seconds: Double

  public init(
    schedule: String, probabilityG: Float, seed: UInt64, draw: Int, finalIS: Float, bestISEMA: Float,
    realizedG: Float, steps: Int, outcome: String, seconds: Double
  ) {
    self.schedule = schedule
    self.probabilityG = probabilityG
    self.seed = seed
    self.draw = draw
    self.finalIS = finalIS
    self.bestISEMA = bestISEMA
    self.realizedG = realizedG
    self.steps = steps
    self.outcome = outcome
    self.seconds = seconds
  }
}

/// The calibration measurements derived from the runs.
public struct GANCalibrationAnalysis: Sendable {
  public struct Schedule: Sendable {
    public var name: String
    public var probabilityG: Float
    public var finalIS: [Double]
    public var mean: Double
    public var sd: Double
  }

  public var schedules: [Schedule]
  public var slope: Double
  public var slopeSE: Double
  public var intercept: Double
  /// SD of the paired differences (same coin, same seed, other action draws).
  public var pairNoise: Double
  public var pairDifferences: [Double]
  /// Pooled within-schedule SD across seeds.
  public var seedNoise: Double
  /// Best minus worst schedule mean.
  public var spread: Double
  public var best: String
  public var worst: String
  /// Paired difference best − worst on the same seeds, with its 95 % interval.
  public var bestMinusWorst: GANStats.Interval
  public var learnable: Bool
  public var verdict: String
  /// Policy-gradient arithmetic (science-protocol §1): one episode of `steps` actions at P(G) = ½
  /// carries an IS effect of about |slope|·√(¼/steps) against the pair noise; the episodes needed to
  /// see it are (noise / effect)².
  public var effectPerEpisode: Double
  public var episodesNeeded: Double

  public init(runs: [GANCalibrationRun], spreadFactor: Float) {
    var order: [String] = []
    for r in runs where r.draw == 0 && !order.contains(r.schedule) { order.append(r.schedule) }
    schedules = order.map { name in
      let mine = runs.filter { $0.schedule == name && $0.draw == 0 }.sorted { $0.seed < $1.seed }
      let v = mine.map { Double($0.finalIS) }
      let (m, s) = GANStats.meanSD(v)
      return Schedule(name: name, probabilityG: mine.first?.probabilityG ?? .nan, finalIS: v, mean: m, sd: s)
    }
    let primary = runs.filter { $0.draw == 0 }
    (slope, slopeSE, intercept) = GANStats.slope(
      x: primary.map { Double($0.probabilityG) }, y: primary.map { Double($0.finalIS) })
    var diffs: [Double] = []
    for partner in runs where partner.draw == 1 {
      if let first = runs.first(where: { $0.draw == 0 && $0.schedule == partner.schedule && $0.seed == partner.seed }) {
        diffs.append(Double(first.finalIS) - Double(partner.finalIS))
      }
    }
    pairDifferences = diffs
    pairNoise = diffs.count > 1 ? GANStats.meanSD(diffs).sd : .nan
    seedNoise = GANStats.pooledSD(schedules.map(\.finalIS))
    let sorted = schedules.sorted { $0.mean > $1.mean }
    best = sorted.first?.name ?? ""
    worst = sorted.last?.name ?? ""
    spread = (sorted.first?.mean ?? .nan) - (sorted.last?.mean ?? .nan)
    let bestRuns = sorted.first?.finalIS ?? []
    let worstRuns = sorted.last?.finalIS ?? []
    bestMinusWorst = GANStats.interval(GANStats.paired(bestRuns, worstRuns))
    let steps = GANStats.meanSD(primary.map { Double($0.steps) }).mean
    effectPerEpisode = abs(slope) * (0.25 / max(steps, 1)).squareRoot()
    episodesNeeded = effectPerEpisode > 0 ? pow(pairNoise / effectPerEpisode, 2) : .infinity
    let factor = Double(spreadFactor)
    learnable = spread.isFinite && seedNoise.isFinite && spread > factor * seedNoise
    verdict =
      learnable
      ? String(
        format: "regime has something to learn: schedule means spread %.2f IS (%@ − %@) > %.0f × seed SD %.2f",
        spread, best, worst, factor, seedNoise)
      : String(
        format: "nothing to learn in this regime: schedule means spread %.2f IS ≤ %.0f × seed SD %.2f", spread, factor,
        seedNoise)
  }

  /// The summary lines of the report and the log.
  public var lines: [String] {
    var l = ["schedule | P(G) | final IS per seed | mean ± SD"]
    for s in schedules {
      l.append(
        "\(s.name) | \(String(format: "%.2f", s.probabilityG)) | "
          + s.finalIS.map { String(format: "%.2f", $0) }.joined(separator: ", ")
          + String(format: " | %.2f ± %.2f", s.mean, s.sd))
    }
    l.append(
      String(format: "slope of final IS against P(G): %.2f ± %.2f (SE, least squares over runs)", slope, slopeSE))
    l.append(
      String(
        format: "pair noise (SD of %d paired differences, same coin and seed, other action draws): %.2f",
        pairDifferences.count, pairNoise))
    l.append(
      String(
        format: "%@ − %@ on the same seeds: %+.2f [%.2f, %.2f] (95 %% t-interval, n = %d)", best, worst,
        bestMinusWorst.mean, bestMinusWorst.low, bestMinusWorst.high, bestMinusWorst.n))
    l.append(
      String(
        format: "REINFORCE arithmetic: one episode's effect ≈ |slope|·√(¼/T) = %.4f IS against pair noise %.2f: "
          + "≈ %.0f episodes to see it", effectPerEpisode, pairNoise, episodesNeeded))
    l.append(verdict)
    return l
  }
}

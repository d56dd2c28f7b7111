import AutoLoss
import Engine
import Foundation
import Statistics
import Store
import Tasks

/// "What the controller learned" (run at the end of `evaluate`), per controller seed, from its
/// recorded evaluation traces and extra runs on the same seeds:
/// - P(L1 step) over progress (binned), its spread, and R² of P on progress alone / all features /
///   progress plus each feature group (``PolicyDescription``);
/// - replays of its own action sequences, fully shuffled and shuffled within time blocks
///   (`replayBlockFraction` of the run), each a fixed pattern run to the task's stopping rule;
/// - the test-time clamp of each feature group to its across-run mean at each step;
/// and one verdict per task by the rules of ``LearnedVerdict``. Writes
/// `artifacts/analysis/<name>/vNNNN.h5` (schema `autoloss/learned-analysis`).
public struct LearnedAnalysis {
  public static let schema = "autoloss/learned-analysis"
  let kind: RegularizedTaskKind
  let config: RegularizedExperimentConfig
  let context: StageContext
  let name: String
  let data: TaskData
  let probe: RegularizedTask
  let seeds: [UInt64]

  /// One episode per (schedule, seed) job, in parallel.
  func runJobs(_ jobs: [(MethodSpec, UInt64)]) -> [Float] {
    let kind = kind
    let data = data
    let taskConfig = config.task
    struct Job: Sendable {
      var spec: MethodSpec
      var seed: UInt64
    }
    return parallelMap(jobs.map { Job(spec: $0.0, seed: $0.1) }, workers: context.workers) { job -> Float in
      let task = RegularizedTask(kind: kind, data: data, config: taskConfig)
      var schedule = job.spec.makeSchedule()
      return runEpisode(
        task: task, schedule: &schedule, seed: job.seed, options: EpisodeOptions(recordSteps: false, evaluateTest: true)
      ).testError
    }
  }

  /// Per step t, the mean feature vector over the runs that reached step t.
  static func meanFeaturesPerStep(_ traces: [EpisodeTrace], featureCount: Int) -> [[Float]] {
    let longest = traces.map { $0.features.count / max(featureCount, 1) }.max() ?? 0
    var sums = [[Double]](repeating: [Double](repeating: 0, count: featureCount), count: longest)
    var counts = [Int](repeating: 0, count: longest)
    for trace in traces {
      let t = trace.features.count / max(featureCount, 1)
      for s in 0..<t {
        counts[s] += 1
        for j in 0..<featureCount { sums[s][j] += Double(trace.features[s * featureCount + j]) }
      }
    }
    return zip(sums, counts).map { row, n in row.map { Float($0 / Double(max(n, 1))) } }
  }

  func run(
    runs: [EvaluatedControllerRun], controllerTrials: [TrialResults], untrainedTrials: TrialResults?,
    inputs: [ResolvedArtifact]
  ) throws {
    let f = probe.featureNames.count
    let groups = probe.featureGroups
    let progress = ProgressDisplay(
      "analysis \(name)", total: runs.count * (2 + groups.count), enabled: context.showProgress)
    let untrainedErrors = untrainedTrials?.testErrors.map(Double.init)
    let untrainedRatio = untrainedTrials.map { Double(EvaluationStage.pooledRatio($0.traces)) }
    let writer = try context.store.writer(
      stage: "analysis", name: name,
      provenance: context.provenance(
        schema: Self.schema, config: ConfigLoader.text(config), seed: config.seed, inputs: inputs))
    try writer.root.setAttribute("task", kind.rawValue)
    try writer.root.setAttribute("rules", Self.rulesText)
    try writer.root.writeStrings("controller_seeds", runs.map(\.label))
    var verdicts: [LearnedVerdict] = []
    for (r, trials) in zip(runs, controllerTrials) {
      let traces = trials.traces
      let mine = trials.testErrors.map(Double.init)
      var rng = SeededRandom(seed: config.seed &* 0x51ED &+ UInt64(verdicts.count + 1))
      var fullJobs: [(MethodSpec, UInt64)] = []
      var blockJobs: [(MethodSpec, UInt64)] = []
      for (trace, seed) in zip(traces, seeds) {
        let actions = trace.actions.map { Int(max($0, 0)) }
        let full = ActionShuffle.full(actions, rng: &rng)
        let block = ActionShuffle.withinBlocks(actions, fraction: config.replayBlockFraction, rng: &rng)
        fullJobs.append((.pattern(full.isEmpty ? [0] : full, name: "replay, shuffled"), seed))
        blockJobs.append((.pattern(block.isEmpty ? [0] : block, name: "replay, block-shuffled"), seed))
      }
      let fullErrors = runJobs(fullJobs).map(Double.init)
      progress.advance(status: "\(r.label) full shuffle")
      let blockErrors = runJobs(blockJobs).map(Double.init)
      progress.advance(status: "\(r.label) block shuffle")
      let means = Self.meanFeaturesPerStep(traces, featureCount: f)
      var clampErrors: [(String, [Double])] = []
      for g in groups {
        let spec = MethodSpec.clampedController(
          r.evaluated, indices: g.indices, meanFeatures: means, name: "clamp \(g.name)")
        clampErrors.append((g.name, runJobs(seeds.map { (spec, $0) }).map(Double.init)))
        progress.advance(status: "\(r.label) clamp \(g.name)")
      }
      let description = PolicyDescription.of(
        traces, action: 1, actionCount: probe.actionNames.count, featureCount: f, groups: groups,
        bins: config.progressBins)
      let ratio = Double(EvaluationStage.pooledRatio(traces))
      let evidence = LearnedVerdict.Evidence(
        blockShuffled: Stats.paired(blockErrors, mine), fullVersusBlock: Stats.paired(fullErrors, blockErrors),
        clamps: clampErrors.map { ($0.0, Stats.paired($0.1, mine)) },
        untrained: untrainedErrors.flatMap { Stats.paired($0, mine) }, ratio: ratio, untrainedRatio: untrainedRatio)
      let verdict = LearnedVerdict.decide(evidence)
      verdicts.append(verdict)
      let g = try writer.root.createGroup("seeds/\(r.label)")
      try g.setAttribute("verdict", verdict.sentence)
      try g.setAttribute("realized_ratio", ratio)
      if let untrainedRatio { try g.setAttribute("untrained_ratio", untrainedRatio) }
      try Self.write(description, to: try g.createGroup("policy"))
      try g.write("controller_test_error", mine, shape: [mine.count])
      try Self.writeComparison(fullErrors, versus: blockErrors, to: try g.createGroup("replay_full_vs_block"))
      try Self.writeComparison(blockErrors, versus: mine, to: try g.createGroup("replay_block"))
      try Self.writeComparison(fullErrors, versus: mine, to: try g.createGroup("replay_full"))
      for (group, errors) in clampErrors {
        try Self.writeComparison(errors, versus: mine, to: try g.createGroup("clamp/\(group)"))
      }
      if let untrainedErrors {
        try Self.writeComparison(untrainedErrors, versus: mine, to: try g.createGroup("untrained"))
      }
      log(
        "  \(name) \(r.label): \(verdict.sentence); P(L1) \(String(format: "%.3f", ratio)), R² progress "
          + String(format: "%.3f, all features %.3f", description.r2Progress, description.r2All))
    }
    let taskVerdict = verdicts.min() ?? .nothing
    try writer.root.setAttribute("verdict", taskVerdict.sentence)
    try writer.root.writeStrings("seed_verdicts", verdicts.map(\.sentence))
    try writer.commit()
    progress.finish(status: taskVerdict.sentence)
    print("\(name): what was learned: \(taskVerdict.sentence) (per seed: \(verdicts.map(\.sentence)))")
  }

  /// The rules, stored with the artifact and quoted by the report.
  public static let rulesText =
    "state-dependent policy: the replay of its own actions shuffled within 10 % time blocks (same seeds) is worse "
    + "than the controller (95 % t-interval of replay - controller test error above zero), or clamping a feature group "
    + "other than progress to its across-run mean per step is worse; else schedule over time: the fully shuffled "
    + "replay is worse than the block-shuffled one, or clamping progress is worse; else ratio: the controller beats "
    + "the untrained controller, or its realized P(L1) differs from the untrained one's by >= 0.05; else nothing. "
    + "The task's verdict is the lowest tier over controller seeds."

  static func write(_ d: PolicyDescription, to g: HDF5Group) throws {
    let bins = d.binMean.count
    try g.write("bin_mean", d.binMean, shape: [bins])
    try g.write("bin_sd", d.binSD, shape: [bins])
    try g.write("bin_p05", d.binP05, shape: [bins])
    try g.write("bin_p95", d.binP95, shape: [bins])
    try g.setAttribute("within_run_sd", d.withinRunSD)
    try g.setAttribute("within_run_p05_p95_range", d.withinRunRange)
    try g.setAttribute("r2_progress", d.r2Progress)
    try g.setAttribute("r2_all_features", d.r2All)
    try g.writeStrings("groups", d.groupNames)
    try g.write("r2_progress_plus_group", d.r2Group, shape: [d.r2Group.count])
  }

  /// `other` and the paired statistics of other − reference.
  static func writeComparison(_ other: [Double], versus reference: [Double], to g: HDF5Group) throws {
    try g.write("test_error", other, shape: [other.count])
    guard let p = Stats.paired(other, reference) else { return }
    try g.setAttribute("mean_difference", p.meanDifference)
    try g.setAttribute("ci95_low", p.low)
    try g.setAttribute("ci95_high", p.high)
    try g.setAttribute("wilcoxon_p", p.wilcoxonP)
  }
}

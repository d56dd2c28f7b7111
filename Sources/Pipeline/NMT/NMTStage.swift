import AutoLoss
import Engine
import Foundation
import Store
import Tasks

/// The NMT stages (`autoloss nmt baselines | train | transfer`): each trains `runs` fresh models per
/// schedule (through the stage executor: `workers` threads, and MPI ranks under `mpirun`) and
/// writes `artifacts/nmt/<dataset>-<stage>/vNNNN.h5` (schema `autoloss/nmt-runs`; rank 0 only):
///
/// ```
/// /                       provenance attributes (config JSON, seed, inputs with sha256), tasks, labels
/// /runs/<schedule>/<run>  TraceIO episode (actions, probabilities [T,K], features [T,18], losses,
///                         checks/{step,error=MT val ppl,extra}), nmt_checks/{step, mt_val_ppl,
///                         val_loss/val_acc/train_loss/train_acc/task_steps [V,K]}, test_accuracy [K];
///                         attrs val_ppl, test_ppl, test_bleu, seed, mix, switch_step, seconds.
///                         AutoLoss runs add segments/{step, reward, update_stats, policy_step,
///                         policy_mean [S,K]} and controller/<actor.*|critic.*>.
/// /tuning/mix             (baselines) grid [G] of P(MT) and best-check val ppl [G]
/// /summary                schedule, val/test ppl mean/std, BLEU mean/std, test accuracy [n,K],
///                         mt_step_share, curves/<schedule>/{step, mt_val_ppl_mean, mt_val_ppl_std}
/// ```
public struct NMTStage {
  public static let schema = "autoloss/nmt-runs"
  public let config: NMTExperimentConfig
  public let context: StageContext
  /// The config text recorded in the artifact.
  public let configText: String

  public init(config: NMTExperimentConfig, context: StageContext) {
    self.config = config
    self.context = context
    configText = ConfigLoader.text(config)
  }

  var dataPath: String { DatasetFiles.path(name: config.dataset, dataDir: context.dataRoot) }

  func loadCorpus(_ c: NMTExperimentConfig) throws -> NMTCorpus {
    guard FileManager.default.fileExists(atPath: dataPath) else {
      throw PipelineError("\(dataPath): not found (expected a prepared dataset; run `autoloss prep \(c.dataset)`)")
    }
    return try NMTDataFile.load(path: dataPath, tasks: c.tasks, config: c)
  }

  /// Runs `specs` through the stage executor (threads, and MPI ranks under `mpirun`); the results,
  /// in spec order, on every rank. (A spec's stored controller must fit this corpus; checked here
  /// so that the runs can load it without a failure path.)
  func execute(_ specs: [NMTRunSpec], corpus: NMTCorpus, config c: NMTExperimentConfig, label: String) throws
    -> [NMTRunResult]
  {
    let k = corpus.tasks.count
    for spec in specs {
      guard let state = spec.controller else { continue }
      let features = NMTTask.featureCount(taskCount: k, config: c.task)
      let probe = PPOTrainer(featureCount: features, actionCount: k, config: c.ppo, seed: 0)
      do { try probe.load(state) } catch {
        throw PipelineError(
          "nmt \(label): the controller of run \(spec.label) does not fit \(features) features and \(k) tasks: \(error)"
        )
      }
    }
    let progress = ProgressDisplay("nmt \(label)", total: specs.count, enabled: context.showProgress)
    progress.lineInterval = 1
    BLAS.setThreads(1)
    return try context.executor.map(count: specs.count) { job, _ in
      NMTRunner.run(specs[job], corpus: corpus, config: c, progress: progress)
    }
  }

  /// FixedRatio probabilities: proportional to training pairs (or target tokens) per task.
  static func fixedRatio(_ corpus: NMTCorpus, by: String) -> [Float] {
    let sizes = corpus.tasks.map { Float(by == "tokens" ? $0.train.targetTokens : $0.train.count) }
    let total = sizes.reduce(0, +)
    return sizes.map { $0 / total }
  }

  /// Runs the baselines; returns the artifact and the text report.
  ///
  /// With `best-mix` among the baselines, every P(MT) of `mixGrid` and MT only (P(MT) = 1) first
  /// run on `mixTuningRuns` seeds shared across mixes (rows `mix-<P>`): the best constant mix is
  /// the lowest mean MT validation perplexity (whole split, best checkpoint), and the paired
  /// differences of each mix against MT only are the calibration (`/calibration`): does any
  /// constant mix beat MT only at all on this data and budget?
  public func runBaselines() throws -> (ResolvedArtifact, String) {
    let corpus = try loadCorpus(config)
    let k = corpus.tasks.count
    let ratio = Self.fixedRatio(corpus, by: config.fixedRatioBy)
    let steps = config.task.maxSteps
    var bestMix = ratio
    var calibration: NMTCalibration?
    var rows: [NMTSummaryRow] = []
    if config.baselines.contains("best-mix") && k > 1 {
      let grid = config.mixGrid.filter { $0 < 1 } + [1]
      var specs: [NMTRunSpec] = []
      for p in grid {
        for i in 0..<max(config.mixTuningRuns, 1) {
          specs.append(
            NMTRunSpec(
              schedule: .mix, label: NMTCalibration.label(p), seed: NMTRunner.seed(config.seed ^ 0x7E57, i),
              mix: nmtMix(mt: p, taskCount: k), maxSteps: config.mixTuningSteps > 0 ? config.mixTuningSteps : steps,
              evaluateBLEU: false))
        }
      }
      let results = try execute(specs, corpus: corpus, config: config, label: "mix tuning")
      let c = NMTCalibration(grid: grid, results: results)
      calibration = c
      bestMix = nmtMix(mt: c.bestMix, taskCount: k)
      rows += grid.map { p in
        NMTSummaryRow(label: NMTCalibration.label(p), runs: results.filter { $0.spec.label == NMTCalibration.label(p) })
      }
    }
    var specs: [NMTRunSpec] = []
    for name in config.baselines {
      guard let kind = NMTScheduleKind(rawValue: name), ![.autoLoss, .autoLossTransfer, .mix].contains(kind) else {
        throw PipelineError(
          "config baselines: unknown schedule '\(name)' (expected mt-only, fixed-ratio, fine-tuned, round-robin, best-mix)"
        )
      }
      for i in 0..<config.runs {
        specs.append(
          baselineSpec(
            kind, label: name, seed: NMTRunner.seed(config.seed, i), steps: steps, ratio: ratio, bestMix: bestMix))
      }
    }
    let results = try execute(specs, corpus: corpus, config: config, label: "baselines")
    rows += config.baselines.map { name in NMTSummaryRow(label: name, runs: results.filter { $0.spec.label == name }) }
    rows = rows.filter { !$0.runs.isEmpty }
    let switchStep = Int((config.fineTuneSwitchFraction * Double(steps)).rounded())
    let artifact = try write(name: "\(config.dataset)-baselines", corpus: corpus, rows: rows) { root in
      try root.setAttribute("fixed_ratio", ratio.map { String(format: "%.4f", $0) }.joined(separator: ","))
      try root.setAttribute("fixed_ratio_by", config.fixedRatioBy)
      try root.setAttribute("best_mix", bestMix.map { String(format: "%.4f", $0) }.joined(separator: ","))
      try root.setAttribute("fine_tune_switch_step", Int64(switchStep))
      if let calibration { try calibration.write(to: root) }
    }
    var text = NMTArtifactWriter.report(rows, taskNames: corpus.taskNames)
    text +=
      "\nFixedRatio P = \(ratio.map { String(format: "%.3f", $0) }) (by \(config.fixedRatioBy)); FineTuned switches to MT only at step \(switchStep)"
    if let calibration { text += "\n" + calibration.text }
    return (artifact, text)
  }

  /// The run of a baseline schedule on one seed.
  func baselineSpec(
    _ kind: NMTScheduleKind, label: String, seed: UInt64, steps: Int, ratio: [Float], bestMix: [Float]
  ) -> NMTRunSpec {
    var s = NMTRunSpec(schedule: kind, label: label, seed: seed, maxSteps: steps)
    switch kind {
    case .fixedRatio: s.mix = ratio
    case .bestMix: s.mix = bestMix
    case .fineTuned:
      s.mix = ratio
      s.switchStep = Int((config.fineTuneSwitchFraction * Double(steps)).rounded())
    default: break
    }
    return s
  }

  /// Writes the artifact `name` on rank 0 and returns it on every rank (a collective call).
  func write(
    name: String, corpus: NMTCorpus, rows: [NMTSummaryRow], inputs extra: [ResolvedArtifact] = [],
    _ body: (HDF5Group) throws -> Void
  ) throws -> ResolvedArtifact {
    try context.committedOnEveryRank {
      try writeHere(name: name, corpus: corpus, rows: rows, inputs: extra, body)
    }
  }

  func writeHere(
    name: String, corpus: NMTCorpus, rows: [NMTSummaryRow], inputs extra: [ResolvedArtifact],
    _ body: (HDF5Group) throws -> Void
  ) throws -> ResolvedArtifact {
    let dataInput = try ResolvedArtifact.file(dataPath)
    let provenance = context.provenance(
      schema: Self.schema, config: configText, seed: config.seed, inputs: [dataInput] + extra)
    let writer = try context.store.writer(stage: "nmt", name: name, provenance: provenance)
    do {
      let root = writer.root
      try root.setAttribute("dataset", config.dataset)
      try root.setAttribute("tasks", corpus.taskNames.joined(separator: ","))
      try root.setAttribute(
        "labels", try NMTDataFile.labelKinds(path: dataPath, tasks: corpus.taskNames).joined(separator: "; "))
      try root.setAttribute(
        "train_pairs", corpus.tasks.map { "\($0.name) \($0.train.count)" }.joined(separator: ", "))
      let featureCount = NMTTask.featureCount(taskCount: corpus.tasks.count, config: config.task)
      for row in rows {
        for (i, r) in row.runs.enumerated() {
          let g = try root.createGroup("runs/\(row.label)/\(TraceIO.episodeName(i))")
          try NMTArtifactWriter.writeRun(r, to: g, taskNames: corpus.taskNames, featureCount: featureCount)
        }
      }
      try NMTArtifactWriter.writeSummary(rows, to: root, taskNames: corpus.taskNames)
      try body(root)
      return try writer.commit()
    } catch {
      writer.discard()
      throw error
    }
  }
}

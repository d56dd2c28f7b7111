import AutoLoss
import Engine
import Foundation
import Store
import Tasks

/// The NMT stages (`autoloss nmt baselines | train | transfer`): each trains `runs` fresh models per
/// schedule (side by side on `workers` threads) and writes `artifacts/nmt/<dataset>-<stage>/vNNNN.h5`
/// (schema `autoloss/nmt-runs`):
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

  func execute(_ specs: [NMTRunSpec], corpus: NMTCorpus, config c: NMTExperimentConfig, label: String) -> [NMTRunResult]
  {
    let progress = ProgressDisplay("nmt \(label)", total: specs.count, enabled: context.showProgress)
    progress.lineInterval = 1
    BLAS.setThreads(1)
    return parallelMap(specs, workers: max(1, c.workers)) { spec in
      NMTRunner.run(spec, corpus: corpus, config: c, progress: progress)
    }
  }

  /// FixedRatio probabilities: proportional to training pairs (or target tokens) per task.
  static func fixedRatio(_ corpus: NMTCorpus, by: String) -> [Float] {
    let sizes = corpus.tasks.map { Float(by == "tokens" ? $0.train.targetTokens : $0.train.count) }
    let total = sizes.reduce(0, +)
    return sizes.map { $0 / total }
  }

  /// Runs the baselines; returns the artifact and the text report.
  public func runBaselines() throws -> (ResolvedArtifact, String) {
    let corpus = try loadCorpus(config)
    let k = corpus.tasks.count
    let ratio = Self.fixedRatio(corpus, by: config.fixedRatioBy)
    let steps = config.task.maxSteps
    var tuning: [(Float, Float)] = []
    var bestMix = ratio
    if config.baselines.contains("best-mix") && k > 1 {
      let specs = config.mixGrid.enumerated().map { i, p in
        NMTRunSpec(
          schedule: .mix, label: String(format: "mix-%.2f", p), seed: NMTRunner.seed(config.seed ^ 0x7E57, i),
          mix: nmtMix(mt: p, taskCount: k), maxSteps: config.mixTuningSteps > 0 ? config.mixTuningSteps : steps,
          evaluateBLEU: false)
      }
      let results = execute(specs, corpus: corpus, config: config, label: "mix tuning")
      tuning = zip(config.mixGrid, results).map { ($0, $1.bestCheckPerplexity) }
      if let best = tuning.min(by: { $0.1 < $1.1 }) { bestMix = nmtMix(mt: best.0, taskCount: k) }
    }
    var specs: [NMTRunSpec] = []
    for name in config.baselines {
      guard let kind = NMTScheduleKind(rawValue: name), ![.autoLoss, .autoLossTransfer, .mix].contains(kind) else {
        throw PipelineError(
          "config baselines: unknown schedule '\(name)' (expected mt-only, fixed-ratio, fine-tuned, round-robin, best-mix)"
        )
      }
      for i in 0..<config.runs {
        var s = NMTRunSpec(schedule: kind, label: name, seed: NMTRunner.seed(config.seed, i), maxSteps: steps)
        switch kind {
        case .fixedRatio: s.mix = ratio
        case .bestMix: s.mix = bestMix
        case .fineTuned:
          s.mix = ratio
          s.switchStep = Int((config.fineTuneSwitchFraction * Double(steps)).rounded())
        default: break
        }
        specs.append(s)
      }
    }
    let results = execute(specs, corpus: corpus, config: config, label: "baselines")
    let rows = config.baselines.map { name in NMTSummaryRow(label: name, runs: results.filter { $0.spec.label == name })
    }
    let artifact = try write(name: "\(config.dataset)-baselines", corpus: corpus, rows: rows) { root in
      try root.setAttribute("fixed_ratio", ratio.map { String(format: "%.4f", $0) }.joined(separator: ","))
      try root.setAttribute("fixed_ratio_by", config.fixedRatioBy)
      try root.setAttribute("best_mix", bestMix.map { String(format: "%.4f", $0) }.joined(separator: ","))
      try root.setAttribute("fine_tune_switch_step", Int64((config.fineTuneSwitchFraction * Double(steps)).rounded()))
      if !tuning.isEmpty {
        let g = try root.createGroup("tuning/mix")
        try g.write("mt_probability", tuning.map(\.0), shape: [tuning.count])
        try g.write("best_check_val_ppl", tuning.map(\.1), shape: [tuning.count])
      }
    }
    var text = NMTArtifactWriter.report(rows, taskNames: corpus.taskNames)
    text +=
      "\nFixedRatio P = \(ratio.map { String(format: "%.3f", $0) }) (by \(config.fixedRatioBy)); FineTuned switches to MT only at step \(Int((config.fineTuneSwitchFraction * Double(steps)).rounded()))"
    if !tuning.isEmpty {
      text +=
        "\nbest-mix tuning (P(MT): best-check val ppl): "
        + tuning.map { String(format: "%.2f: %.3f", $0.0, $0.1) }.joined(separator: ", ")
    }
    return (artifact, text)
  }

  /// Trains the AutoLoss controller online, `runs` times (each run its own controller).
  public func runAutoLoss() throws -> (ResolvedArtifact, String) {
    let corpus = try loadCorpus(config)
    let specs = (0..<config.runs).map { i in
      NMTRunSpec(
        schedule: .autoLoss, label: "autoloss", seed: NMTRunner.seed(config.seed, i), maxSteps: config.task.maxSteps)
    }
    let results = execute(specs, corpus: corpus, config: config, label: "autoloss")
    let rows = [NMTSummaryRow(label: "autoloss", runs: results)]
    let best = results.indices.min { results[$0].validationPerplexity < results[$1].validationPerplexity } ?? 0
    let artifact = try write(name: "\(config.dataset)-autoloss", corpus: corpus, rows: rows) { root in
      if !results.isEmpty {
        try ParameterIO.write(results[best].controller, to: try root.createGroup("controller"))
        try root.setAttribute("controller_run", Int64(best))
      }
    }
    var text = NMTArtifactWriter.report(rows, taskNames: corpus.taskNames)
    for (i, r) in results.enumerated() {
      let p = NMTArtifactWriter.policyCurve(
        r.trace, actionCount: corpus.tasks.count, every: max(r.spec.maxSteps / 8, 1))
      let k = corpus.tasks.count
      let cells = p.steps.indices.map { j in
        "\(p.steps[j]):" + (0..<k).map { String(format: "%.2f", p.mean[j * k + $0]) }.joined(separator: "/")
      }
      text +=
        "\nrun \(i) policy P(\(corpus.taskNames.joined(separator: "/"))) over steps: " + cells.joined(separator: " ")
    }
    return (artifact, text)
  }

  /// The controller of the latest AutoLoss artifact of this dataset.
  func loadController() throws -> ([String: Tensor], ResolvedArtifact) {
    let artifact = try context.store.resolve(stage: "nmt", name: "\(config.dataset)-autoloss")
    let file = try ArtifactReader.open(artifact, schema: Self.schema, supportedVersions: 1...1)
    defer { file.close() }
    guard file.root.contains("controller") else {
      throw PipelineError("\(artifact.path): expected a /controller group, found none")
    }
    return (try ParameterIO.read(from: try file.root.group("controller")), artifact)
  }

  /// Transfer: the trained controller (frozen) guides a model of another hidden size and a run on
  /// another slice of the MT training data, each against FineTuned.
  public func runTransfer() throws -> (ResolvedArtifact, String) {
    let (controller, input) = try loadController()
    var sized = config
    sized.task.model.hiddenSize = config.transferHiddenSize
    var sliced = config
    sliced.slice = config.transferSlice
    sliced.sliceCount = config.transferSliceCount
    var rows: [NMTSummaryRow] = []
    var texts: [String] = []
    var corpora: [NMTCorpus] = []
    for (tag, c) in [
      ("hidden\(config.transferHiddenSize)", sized),
      ("slice\(config.transferSlice)of\(config.transferSliceCount)", sliced),
    ] {
      let corpus = try loadCorpus(c)
      corpora.append(corpus)
      let ratio = Self.fixedRatio(corpus, by: c.fixedRatioBy)
      let steps = c.task.maxSteps
      var specs: [NMTRunSpec] = []
      for i in 0..<c.transferRuns {
        let seed = NMTRunner.seed(c.seed ^ 0x7AA5, i)
        specs.append(
          NMTRunSpec(
            schedule: .autoLossTransfer, label: "\(tag)/autoloss", seed: seed, maxSteps: steps, controller: controller,
            learn: false))
        specs.append(
          NMTRunSpec(
            schedule: .fineTuned, label: "\(tag)/fine-tuned", seed: seed, mix: ratio,
            switchStep: Int((c.fineTuneSwitchFraction * Double(steps)).rounded()), maxSteps: steps))
      }
      let results = execute(specs, corpus: corpus, config: c, label: "transfer \(tag)")
      let here = ["\(tag)/autoloss", "\(tag)/fine-tuned"].map { l in
        NMTSummaryRow(label: l, runs: results.filter { $0.spec.label == l })
      }
      rows += here
      texts.append(NMTArtifactWriter.report(here, taskNames: corpus.taskNames))
    }
    let artifact = try write(name: "\(config.dataset)-transfer", corpus: corpora[0], rows: rows, inputs: [input]) {
      root in
      try root.setAttribute("controller_from", input.path)
    }
    return (artifact, texts.joined(separator: "\n"))
  }

  func write(
    name: String, corpus: NMTCorpus, rows: [NMTSummaryRow], inputs extra: [ResolvedArtifact] = [],
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
        "labels", NMTDataFile.labelKinds(path: dataPath, tasks: corpus.taskNames).joined(separator: "; "))
      try root.setAttribute(
        "train_pairs", corpus.tasks.map { "\($0.name) \($0.train.count)" }.joined(separator: ", "))
      let featureCount = 6 * corpus.tasks.count
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

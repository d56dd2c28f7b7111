import AutoLoss
import Engine
import Foundation
import Statistics
import Store
import Tasks

/// One paired comparison of the frozen evaluation: a controller's runs against a baseline's, seed by seed.
struct NMTComparison {
  var controller: String
  var baseline: String
  /// "equal steps" or "equal MT updates".
  var budget: String
  var validation: NMTPairedDifference
  var test: NMTPairedDifference
}

extension NMTStage {
  /// The trained controllers of the latest AutoLoss artifact, checked by loading each into a PPO
  /// trainer of this corpus' shape: with `evaluatedController = final`, `/controllers/c<k>` (or the
  /// older single `/controller`); with `average`, the mean of the controllers stored after each of
  /// the last `averageLastMetaEpisodes` meta-episodes (`/runs/autoloss-c<k>/<episode>/controller`).
  /// Also returns a description of the choice, recorded in the evaluation artifact.
  func loadControllers(featureCount: Int, actionCount: Int) throws -> (
    controllers: [(String, [String: Tensor])], artifact: ResolvedArtifact, choice: String
  ) {
    let artifact = try context.store.resolve(stage: "nmt", name: "\(config.dataset)-autoloss")
    let file = try ArtifactReader.open(artifact, schema: Self.schema, supportedVersions: 1...1)
    defer { file.close() }
    var found: [(String, [String: Tensor])] = []
    if file.root.isGroup("controllers") {
      let g = try file.root.group("controllers")
      let names = try g.list().sorted { (Int($0.dropFirst()) ?? 0) < (Int($1.dropFirst()) ?? 0) }
      for n in names { found.append(("autoloss-\(n)", try ParameterIO.read(from: try g.group(n)))) }
    } else if file.root.isGroup("controller") {
      found.append(("autoloss-c1", try ParameterIO.read(from: try file.root.group("controller"))))
    }
    guard !found.isEmpty else {
      throw PipelineError("\(artifact.path): expected /controllers/c<k> or /controller groups, found none")
    }
    var choice = "final (after the last meta-episode)"
    if config.evaluatedController == .average {
      var used: [Int] = []  // every controller ran the same meta-episodes
      for i in found.indices {
        (used, found[i].1) = try averagedController(found[i].0, in: file.root, path: artifact.path)
      }
      if let first = used.first.map({ $0 + 1 }), let last = used.last.map({ $0 + 1 }) {
        choice =
          first == last
          ? "average of the controller after meta-episode \(last)"
          : "average of the controllers after meta-episodes \(first)-\(last)"
      }
      if used.count < config.averageLastMetaEpisodes {
        log(
          "nmt: only \(used.count) meta-episodes stored; averageLastMetaEpisodes asked for \(config.averageLastMetaEpisodes)"
        )
      }
    }
    for (name, state) in found {
      let probe = PPOTrainer(featureCount: featureCount, actionCount: actionCount, config: config.ppo, seed: 0)
      do { try probe.load(state) } catch {
        throw PipelineError(
          "\(artifact.path): controller \(name) does not fit \(featureCount) features and \(actionCount) tasks: \(error)"
        )
      }
    }
    return (found, artifact, choice)
  }

  /// The mean of the controllers stored after the last `averageLastMetaEpisodes` meta-episodes of
  /// `label` (`/runs/<label>/<episode>/controller`), with the 0-based meta-episodes used.
  func averagedController(_ label: String, in root: HDF5Group, path: String) throws -> ([Int], [String: Tensor]) {
    let location = "\(path): /runs/\(label)"
    guard root.isGroup("runs/\(label)") else {
      throw PipelineError("\(location): not found (evaluatedController = average needs each meta-episode's run)")
    }
    let runs = try root.group("runs/\(label)")
    let episodes = try runs.list().compactMap { Int($0) }.sorted()
    guard !episodes.isEmpty else { throw PipelineError("\(location): expected meta-episode groups 0000…, found none") }
    let used = Array(episodes.suffix(config.averageLastMetaEpisodes))
    var states: [[String: Tensor]] = []
    for e in used {
      let name = TraceIO.episodeName(e)
      guard runs.isGroup("\(name)/controller") else {
        throw PipelineError("\(location)/\(name): expected a controller group (the controller after that meta-episode)")
      }
      states.append(try ParameterIO.read(from: try runs.group("\(name)/controller")))
    }
    guard let mean = WeightAverage.mean(states) else {
      throw PipelineError(
        "\(location): the controllers of meta-episodes \(used) differ in their parameter names or shapes")
    }
    return (used, mean)
  }

  /// The best constant mix and FixedRatio of the latest baselines artifact.
  func loadBaselineMixes() throws -> (bestMix: [Float], artifact: ResolvedArtifact) {
    let artifact = try context.store.resolve(stage: "nmt", name: "\(config.dataset)-baselines")
    let file = try ArtifactReader.open(artifact, schema: Self.schema, supportedVersions: 1...1)
    defer { file.close() }
    guard file.root.hasAttribute("best_mix") else {
      throw PipelineError("\(artifact.path): expected a root attribute best_mix (run `autoloss nmt baselines`)")
    }
    let text = try file.root.attributeString("best_mix")
    let mix = text.split(separator: ",").compactMap { Float($0) }
    guard !mix.isEmpty, mix.count == text.split(separator: ",").count else {
      throw PipelineError("\(artifact.path): best_mix: expected comma-separated probabilities, found '\(text)'")
    }
    return (mix, artifact)
  }

  /// Evaluation on fresh seeds: every trained controller (`evaluatedController`; frozen unless
  /// `evaluationLearning`; ε `evaluationExploration`, 0 by default) against `evaluationBaselines`
  /// at equal steps and, with `evaluateEqualMTUpdates`, against MT
  /// only run for as many steps as the controller's run took MT steps; paired by seed. Writes
  /// `<dataset>-evaluation` with the runs, `/summary` and `/paired`.
  public func runEvaluation() throws -> (ResolvedArtifact, String) {
    let corpus = try loadCorpus(config)
    let k = corpus.tasks.count
    let (controllers, controllerInput, choice) = try loadControllers(
      featureCount: NMTTask.featureCount(taskCount: k, config: config.task), actionCount: k)
    let (bestMix, baselineInput) = try loadBaselineMixes()
    guard bestMix.count == k else {
      throw PipelineError(
        "\(baselineInput.path): best_mix has \(bestMix.count) probabilities, expected \(k) (one per task)")
    }
    let ratio = Self.fixedRatio(corpus, by: config.fixedRatioBy)
    let steps = config.task.maxSteps
    let n = max(config.evaluationRuns, 1)
    let first = config.evaluationSeedOffset
    let seeds = (first..<(first + n)).map { NMTRunner.seed(config.seed ^ 0xE7A1, $0) }
    var baselineNames: [String] = []
    for name in config.evaluationBaselines {
      guard let kind = NMTScheduleKind(rawValue: name), ![.autoLoss, .autoLossTransfer, .mix].contains(kind) else {
        throw PipelineError(
          "config evaluationBaselines: unknown schedule '\(name)' (expected mt-only, fixed-ratio, fine-tuned, round-robin, best-mix)"
        )
      }
      baselineNames.append(name)
    }
    var specs: [NMTRunSpec] = []
    for seed in seeds {
      for (name, state) in controllers {
        specs.append(
          NMTRunSpec(
            schedule: .autoLossTransfer, label: name, seed: seed, maxSteps: steps, controller: state,
            learn: config.evaluationLearning, exploration: config.evaluationExploration))
      }
      for name in baselineNames {
        specs.append(
          baselineSpec(
            NMTScheduleKind(rawValue: name)!, label: name, seed: seed, steps: steps, ratio: ratio, bestMix: bestMix))
      }
    }
    var results = try execute(specs, corpus: corpus, config: config, label: "evaluation")
    if config.evaluateEqualMTUpdates {
      var more: [NMTRunSpec] = []
      for r in results where r.spec.schedule == .autoLossTransfer {
        let mtSteps = r.trace.actions.filter { $0 == 0 }.count
        more.append(
          NMTRunSpec(
            schedule: .mtOnly,
            label: "mt-only-equal-mt-\(r.spec.label.replacingOccurrences(of: "autoloss-", with: ""))",
            seed: r.spec.seed, maxSteps: max(mtSteps, 1)))
      }
      results += try execute(more, corpus: corpus, config: config, label: "evaluation (equal MT updates)")
    }
    func runs(_ label: String) -> [NMTRunResult] {
      seeds.compactMap { s in results.first { $0.spec.label == label && $0.spec.seed == s } }
    }
    var comparisons: [NMTComparison] = []
    for (name, _) in controllers {
      let a = runs(name)
      var against = baselineNames.map { ($0, "equal steps") }
      if config.evaluateEqualMTUpdates {
        against.append(("mt-only-equal-mt-\(name.replacingOccurrences(of: "autoloss-", with: ""))", "equal MT updates"))
      }
      for (b, budget) in against {
        let other = runs(b)
        comparisons.append(
          NMTComparison(
            controller: name, baseline: b, budget: budget,
            validation: NMTPairedDifference(a.map(\.validationPerplexity), other.map(\.validationPerplexity)),
            test: NMTPairedDifference(a.map(\.testPerplexity), other.map(\.testPerplexity))))
      }
    }
    var labels = controllers.map(\.0) + baselineNames
    if config.evaluateEqualMTUpdates {
      labels += controllers.map { "mt-only-equal-mt-\($0.0.replacingOccurrences(of: "autoloss-", with: ""))" }
    }
    let rows = labels.map { NMTSummaryRow(label: $0, runs: runs($0)) }.filter { !$0.runs.isEmpty }
    let artifact = try write(
      name: "\(config.dataset)-evaluation", corpus: corpus, rows: rows, inputs: [controllerInput, baselineInput]
    ) { root in
      try root.setAttribute("best_mix", bestMix.map { String(format: "%.4f", $0) }.joined(separator: ","))
      try root.setAttribute("evaluated_controller", choice)
      try root.setAttribute("evaluation_exploration", Double(config.evaluationExploration))
      try root.setAttribute("evaluation_learning", Int64(config.evaluationLearning ? 1 : 0))
      try Self.writeComparisons(comparisons, to: root)
    }
    var text = NMTArtifactWriter.report(rows, taskNames: corpus.taskNames)
    text +=
      "\nevaluated controllers: \(choice), ε \(config.evaluationExploration), "
      + (config.evaluationLearning ? "learning online in each run" : "frozen")
    text += "\nbest constant mix (from \(baselineInput.path)): \(bestMix.map { String(format: "%.3f", $0) })"
    text += "\npaired differences (controller − baseline, MT perplexity, mean [95 % interval]):"
    for c in comparisons {
      text +=
        "\n  \(c.controller) − \(c.baseline) (\(c.budget)): val \(c.validation.formatted()), test \(c.test.formatted())"
    }
    return (artifact, text)
  }

  /// `/paired`: one entry per comparison.
  static func writeComparisons(_ c: [NMTComparison], to root: HDF5Group) throws {
    let g = try root.createGroup("paired")
    let n = c.count
    try g.writeStrings("controller", c.map(\.controller))
    try g.writeStrings("baseline", c.map(\.baseline))
    try g.writeStrings("budget", c.map(\.budget))
    try g.write("n", c.map { Int32($0.validation.n) }, shape: [n])
    for (name, pick) in [("val", \NMTComparison.validation), ("test", \NMTComparison.test)] {
      try g.write("\(name)_mean", c.map { Float($0[keyPath: pick].mean) }, shape: [n])
      try g.write("\(name)_low", c.map { Float($0[keyPath: pick].low) }, shape: [n])
      try g.write("\(name)_high", c.map { Float($0[keyPath: pick].high) }, shape: [n])
    }
    try g.setAttribute(
      "note",
      "controller − baseline MT perplexity per shared seed (lower is better for the controller): mean and 95 % t interval"
    )
  }

  /// The `transfer` stage: the frozen evaluation on fresh seeds, then (when `transferRuns` > 0) the
  /// first controller on a model of another hidden size and on another slice of the MT training
  /// data, each against FineTuned. Returns the transfer artifact (the evaluation one when there
  /// are no transfer runs).
  public func runTransfer() throws -> (ResolvedArtifact, String) {
    let (evaluation, evaluationText) = try runEvaluation()
    guard config.transferRuns > 0 else { return (evaluation, evaluationText) }
    let (transfer, transferText) = try runTransferTests()
    return (transfer, evaluationText + "\nwrote \(evaluation.path)\n" + transferText)
  }

  /// Transfer: the first trained controller (frozen) guides a model of another hidden size and a
  /// run on another slice of the MT training data, each against FineTuned.
  func runTransferTests() throws -> (ResolvedArtifact, String) {
    let probe = try loadCorpus(config)
    let (controllers, input, choice) = try loadControllers(
      featureCount: NMTTask.featureCount(taskCount: probe.tasks.count, config: config.task),
      actionCount: probe.tasks.count)
    let controller = controllers[0].1
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
      let results = try execute(specs, corpus: corpus, config: c, label: "transfer \(tag)")
      let here = ["\(tag)/autoloss", "\(tag)/fine-tuned"].map { l in
        NMTSummaryRow(label: l, runs: results.filter { $0.spec.label == l })
      }
      rows += here
      texts.append(NMTArtifactWriter.report(here, taskNames: corpus.taskNames))
    }
    let artifact = try write(name: "\(config.dataset)-transfer", corpus: corpora[0], rows: rows, inputs: [input]) {
      root in
      try root.setAttribute("controller_from", input.path)
      try root.setAttribute("evaluated_controller", choice)
    }
    return (artifact, texts.joined(separator: "\n"))
  }
}

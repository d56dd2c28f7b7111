import AutoLoss
import Engine
import Foundation
import Store
import Tasks

/// What one controller did over its meta-episodes.
struct NMTControllerTraining: Sendable {
  /// 1-based controller number (`autoloss-c<number>`).
  var number: Int
  var runs: [NMTRunResult]
  /// ε of each meta-episode.
  var exploration: [Float]
  /// The controller after its last meta-episode (actor.* and critic.*).
  var controller: [String: Tensor]

  var label: String { "autoloss-c\(number)" }

  /// Per meta-episode: MT step share, mean segment reward, validation perplexity.
  var curve: (mtShare: [Float], reward: [Float], validation: [Float]) {
    let share = runs.map { r in r.trace.actionFractions(actionCount: r.checks.first?.taskSteps.count ?? 1).first ?? 0 }
    let reward = runs.map { r -> Float in
      let x = r.segmentRewards.filter(\.isFinite)
      return x.isEmpty ? .nan : x.reduce(0, +) / Float(x.count)
    }
    return (share, reward, runs.map(\.validationPerplexity))
  }
}

extension NMTStage {
  /// AutoLoss training with meta-episodes: each of `controllerSeeds` controllers (side by side) is
  /// kept across `metaEpisodes` NMT training runs from fresh models, one after the other, learning
  /// online in each; ε decays by meta-episode. Writes `<dataset>-autoloss` with the runs of every
  /// controller (rows `autoloss-c<k>`), `/controllers/c<k>` (the final controllers; `/controller`
  /// is c1) and `/meta/c<k>` (the per-meta-episode curve).
  public func runAutoLoss() throws -> (ResolvedArtifact, String) {
    let corpus = try loadCorpus(config)
    let c = config
    let episodes = max(c.metaEpisodes, 1)
    let featureCount = 6 * corpus.tasks.count
    let actionCount = corpus.tasks.count
    let progress = ProgressDisplay(
      "nmt autoloss", total: episodes * max(c.controllerSeeds, 1), enabled: context.showProgress)
    progress.lineInterval = 1
    BLAS.setThreads(1)
    let trained = parallelMap(Array(1...max(c.controllerSeeds, 1)), workers: max(1, c.workers)) { number in
      let trainer = PPOTrainer(
        featureCount: featureCount, actionCount: actionCount, config: c.ppo,
        seed: NMTRunner.seed(c.seed ^ 0xC0A7, number - 1))
      var runs: [NMTRunResult] = []
      var exploration: [Float] = []
      for e in 0..<episodes {
        let eps = trainer.exploration(episode: e)
        let spec = NMTRunSpec(
          schedule: .autoLoss, label: "autoloss-c\(number)", seed: NMTRunner.seed(c.seed, (number - 1) * episodes + e),
          maxSteps: c.task.maxSteps, exploration: eps)
        runs.append(NMTRunner.run(spec, corpus: corpus, config: c, progress: progress, trainer: trainer))
        exploration.append(eps)
      }
      return NMTControllerTraining(
        number: number, runs: runs, exploration: exploration, controller: trainer.stateDict())
    }
    let rows = trained.map { NMTSummaryRow(label: $0.label, runs: $0.runs) }
    let artifact = try write(name: "\(config.dataset)-autoloss", corpus: corpus, rows: rows) { root in
      try root.setAttribute("meta_episodes", Int64(episodes))
      try root.setAttribute("controller_seeds", Int64(trained.count))
      if let first = trained.first { try ParameterIO.write(first.controller, to: try root.createGroup("controller")) }
      for t in trained {
        try ParameterIO.write(t.controller, to: try root.createGroup("controllers/c\(t.number)"))
        let g = try root.createGroup("meta/c\(t.number)")
        let curve = t.curve
        try g.write("exploration", t.exploration, shape: [t.exploration.count])
        try g.write("mt_step_share", curve.mtShare, shape: [curve.mtShare.count])
        try g.write("mean_segment_reward", curve.reward, shape: [curve.reward.count])
        try g.write("val_ppl", curve.validation, shape: [curve.validation.count])
      }
    }
    var text = NMTArtifactWriter.report(rows, taskNames: corpus.taskNames)
    for t in trained {
      let curve = t.curve
      text += "\n\(t.label) per meta-episode (ε, MT share, mean segment reward, val ppl): "
      text += t.runs.indices.map {
        String(
          format: "%.2f/%.2f/%.3f/%.2f", t.exploration[$0], curve.mtShare[$0], curve.reward[$0], curve.validation[$0])
      }.joined(separator: " ")
      if let last = t.runs.last {
        let p = NMTArtifactWriter.policyCurve(
          last.trace, actionCount: actionCount, every: max(last.spec.maxSteps / 8, 1))
        let cells = p.steps.indices.map { j in
          "\(p.steps[j]):"
            + (0..<actionCount).map { String(format: "%.2f", p.mean[j * actionCount + $0]) }.joined(separator: "/")
        }
        text +=
          "\n\(t.label) last meta-episode policy P(\(corpus.taskNames.joined(separator: "/"))) over steps: "
          + cells.joined(separator: " ")
      }
    }
    return (artifact, text)
  }
}

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
  /// AutoLoss training with meta-episodes: each of `controllerSeeds` controllers is kept across
  /// `metaEpisodes` NMT training runs from fresh models, one after the other, learning online in
  /// each; ε decays by meta-episode. The controllers' runs of one meta-episode go through the stage
  /// executor side by side (threads, and MPI ranks under `mpirun`); after each meta-episode the runs
  /// and PPO trainers are saved (``NMTMetaWork``), so a killed run resumes with the next one. Writes
  /// `<dataset>-autoloss` with the runs of every controller (rows `autoloss-c<k>`),
  /// `/controllers/c<k>` (the final controllers; `/controller` is c1) and `/meta/c<k>` (the
  /// per-meta-episode curve).
  public func runAutoLoss() throws -> (ResolvedArtifact, String) {
    let corpus = try loadCorpus(config)
    let trained = try trainControllers(corpus: corpus).trained
    return try writeAutoLoss(trained, corpus: corpus)
  }

  /// The work folder of the meta-training's snapshots.
  var metaWorkDirectory: String {
    context.store.directory(stage: "nmt", name: "\(config.dataset)-autoloss") + "/.work"
  }

  /// Runs (or resumes) the meta-training; returns the controllers and the meta-episodes restored
  /// from an earlier run. With `stopAfter`, throws ``NMTMetaTrainingStopped`` once that many
  /// meta-episodes are saved (before the last), as a kill right after a snapshot would.
  func trainControllers(corpus: NMTCorpus, stopAfter: Int? = nil) throws -> (
    trained: [NMTControllerTraining], resumedAfter: Int
  ) {
    let c = config
    let episodes = max(c.metaEpisodes, 1)
    let controllers = max(c.controllerSeeds, 1)
    let featureCount = NMTTask.featureCount(taskCount: corpus.tasks.count, config: c.task)
    let actionCount = corpus.tasks.count
    var identityConfig = c
    identityConfig.workers = 1  // the thread count does not change the numbers
    let identity = ConfigLoader.text(identityConfig) + "\n" + (try ResolvedArtifact.file(dataPath)).sha256
    let work = NMTMetaWork(directory: metaWorkDirectory, context: context, controllers: controllers)
    var state = try work.prepare(identity: identity)
    let resumedAfter = state.episodesDone
    if resumedAfter > 0 { log("nmt autoloss: resuming after meta-episode \(resumedAfter) from \(work.directory)") }
    let progress = ProgressDisplay(
      "nmt autoloss", total: episodes * controllers, enabled: context.showProgress)
    progress.lineInterval = 1
    if resumedAfter > 0 { progress.advance(by: min(resumedAfter, episodes) * controllers) }
    @Sendable func makeTrainer(_ job: Int) -> PPOTrainer {
      PPOTrainer(
        featureCount: featureCount, actionCount: actionCount, config: c.ppo,
        seed: NMTRunner.seed(c.seed ^ 0xC0A7, job))
    }
    BLAS.setThreads(1)
    while state.episodesDone < episodes {
      let e = state.episodesDone
      let before = state.trainers
      let steps = try context.executor.map(count: controllers) { job, _ -> NMTMetaStep in
        let trainer = makeTrainer(job)
        if e > 0 { try trainer.restore(before[job]) }
        let spec = NMTRunSpec(
          schedule: .autoLoss, label: "autoloss-c\(job + 1)", seed: NMTRunner.seed(c.seed, job * episodes + e),
          maxSteps: c.task.maxSteps, exploration: trainer.exploration(episode: e))
        let run = NMTRunner.run(spec, corpus: corpus, config: c, progress: progress, trainer: trainer)
        return NMTMetaStep(run: run, trainer: trainer.snapshot())
      }
      try work.save(episode: e, steps: steps, seed: c.seed)
      state.append(steps)
      if let stopAfter, state.episodesDone >= stopAfter, state.episodesDone < episodes {
        throw NMTMetaTrainingStopped(episodesDone: state.episodesDone)
      }
    }
    var trained: [NMTControllerTraining] = []
    for job in 0..<controllers {
      let trainer = makeTrainer(job)
      do {
        try trainer.restore(state.trainers[job])
      } catch {
        throw PipelineError("\(work.directory): controller \(job + 1) does not restore: \(error)")
      }
      trained.append(
        NMTControllerTraining(
          number: job + 1, runs: Array(state.runs[job].prefix(episodes)),
          exploration: (0..<episodes).map { c.ppo.exploration(episode: $0) }, controller: trainer.stateDict()))
    }
    return (trained, resumedAfter)
  }

  /// Writes `<dataset>-autoloss` (rank 0) and removes the meta-training's work folder.
  func writeAutoLoss(_ trained: [NMTControllerTraining], corpus: NMTCorpus) throws -> (ResolvedArtifact, String) {
    let episodes = max(config.metaEpisodes, 1)
    let actionCount = corpus.tasks.count
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
    if context.executor.isCoordinator { FileManagerShim.remove(metaWorkDirectory) }
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

import Engine
import Foundation
import Tasks

extension TaskRegistry {
  /// The GAN experiments (paper section 4.3): calibration, controller training, baselines,
  /// evaluation and transfer. Needs `data/<dataset>.h5` and the scorer (task `scorer`).
  static let ganFamily = TaskFamily(
    name: "gan", summary: "DCGAN schedules of D and G steps (reward from the Inception Score)", config: "gan",
    stages: [
      StageEntry("calibrate", "Fixed P(G) coins and D:G ratios on common seeds: is there anything to learn?") {
        let (config, context) = try ganSetup($0)
        let result = try GANCalibrationStage(config: config, context: context).run()
        return result.artifact.map { ["wrote \($0.path)"] } ?? []
      },
      StageEntry(
        "train-controller", "Train the GAN controller (REINFORCE or antithetic, as configured; reward rewardScale·IS²)."
      ) {
        let (config, context) = try ganSetup($0)
        return ["wrote \(try GANControllerStage(config: config, context: context).run().path)"]
      },
      StageEntry("baselines", "Fixed D:G schedules and the tuned constant-ratio schedule.") {
        let (config, context) = try ganSetup($0)
        return ["wrote \(try GANBaselinesStage(config: config, context: context).run().path)"]
      },
      StageEntry("evaluate", "The trained controller against every baseline schedule.") {
        let (config, context) = try ganSetup($0)
        return ["wrote \(try GANEvaluationStage(config: config, context: context).run().artifact.path)"]
      },
      StageEntry("transfer", "The trained controller on other datasets and sampled DCGANs, against 1:1.") {
        let (config, context) = try ganSetup($0)
        return ["wrote \(try GANTransferStage(config: config, context: context).run().artifact.path)"]
      },
      StageEntry(
        "step-time", "Milliseconds per D step and per G step of the configured DCGAN (a sizing aid).",
        options: [StageOptionSpec("steps", "steps of each kind to time after 3 warm-up steps (default 20)")]
      ) { request in
        let (config, _) = try ganSetup(request)
        return [ganStepTimes(config, steps: try request.int("steps", atLeast: 1) ?? 20)]
      },
    ])

  /// Scorer training (paper 4.1): the Inception-Score classifier of one image dataset.
  static let scorerFamily = TaskFamily(
    name: "scorer", summary: "the IS classifier (CNN of paper 4.1) of an image dataset", config: "scorer",
    stages: [
      StageEntry(
        "train", "Train the IS classifier on a dataset's training split.",
        options: [StageOptionSpec("dataset", "mnist, fashion-mnist or cifar10 (required)")]
      ) { request in
        let dataset = request.string("dataset") ?? ""
        guard GANData.datasets.contains(dataset) else {
          throw PipelineError(
            "--dataset: expected one of \(GANData.datasets.joined(separator: ", ")), found '\(dataset)'")
        }
        _ = keepLargeAllocationsResident()
        BLAS.setThreads(1)
        let config = try ScorerConfig.load(context: request.context, overrides: request.overrides)
        let result = try ScorerStage(dataset: dataset, config: config, context: request.context).run()
        return [
          "wrote \(result.artifact.path): test accuracy \(String(format: "%.2f", result.accuracy * 100))%, "
            + "real-data IS \(String(format: "%.3f ± %.3f", result.realIS, result.realISStd))"
        ]
      }
    ])

  /// Loads the GAN config and prepares the process for GAN training (one OpenBLAS thread).
  static func ganSetup(_ request: StageRequest) throws -> (GANExperimentConfig, StageContext) {
    _ = keepLargeAllocationsResident()
    BLAS.setThreads(1)
    return (try GANExperimentConfig.load(context: request.context, overrides: request.overrides), request.context)
  }

  /// Times `steps` D steps and G steps of the configured DCGAN on random data.
  static func ganStepTimes(_ config: GANExperimentConfig, steps: Int) -> String {
    var rng = SeededRandom(seed: 1)
    let trainer = GANTrainer(config: config.model, optimizer: config.task.optimizer, rng: &rng)
    let m = config.model
    let b = config.task.batchSize
    let real = rng.uniformTensor([b, m.channels, m.imageSize, m.imageSize], 0, 1)
    func time(_ body: () -> Void) -> Double {
      for _ in 0..<3 { body() }
      let start = Date()
      for _ in 0..<steps { body() }
      return Date().timeIntervalSince(start) * 1000 / Double(steps)
    }
    let d = time { trainer.dStep(real: real, z: rng.normalTensor([b, m.zSize])) }
    let g = time { trainer.gStep(z: rng.normalTensor([b, m.zSize])) }
    return String(
      format: "DCGAN width %d, z %d, BN %@, batch %d: D step %.2f ms, G step %.2f ms", m.baseWidth, m.zSize,
      m.batchNorm ? "on" : "off", b, d, g)
  }
}

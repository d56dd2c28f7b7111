import Tasks

extension TaskRegistry {
  /// Regression or classification (paper section 4.1-4.2): controller training, baselines,
  /// evaluation with the analysis of what was learned, and the transfer, sweep and ablation
  /// experiments. Config: `configs/<profile>/<task>.json`.
  static func regularizedFamily(_ kind: RegularizedTaskKind) -> TaskFamily {
    let version = { (what: String) in StageOptionSpec("\(what)-version", "\(what) artifact version (default: latest)") }
    let inputs = { @Sendable (request: StageRequest) throws -> RegularizedStageInputs in
      try RegularizedStageInputs.load(kind: kind, context: request.context, overrides: request.overrides)
    }
    return TaskFamily(
      name: kind.rawValue,
      summary: kind == .regression ? "quadratic regression with an L1 term" : "MLP classification with an L1 term",
      config: kind.rawValue,
      stages: [
        StageEntry(
          "train-controller", "Train the AutoLoss controller on the controller splits (resumes).",
          options: [
            StageOptionSpec("controller", "train only controller seed K (1-based)"),
            StageOptionSpec("drop", "feature groups hidden from the controller, comma-separated (ablation)"),
            StageOptionSpec("name", "artifact name (default: the task, with -no-<group> per dropped group)"),
          ]
        ) { request in
          var stageInputs = try inputs(request)
          let dropped = request.string("drop").map { $0.split(separator: ",").map(String.init) } ?? []
          stageInputs.config.controller.droppedFeatureGroups = dropped
          try stageInputs.config.check()
          let defaultName = ([kind.rawValue] + dropped.map { "no-\($0)" }).joined(separator: "-")
          stageInputs.name = request.string("name") ?? defaultName
          var stage = ControllerTrainingStage(stageInputs)
          stage.onlyController = try request.int("controller", atLeast: 1)
          return try stage.runAll().map { "wrote \($0.path)" }
        },
        StageEntry(
          "baselines", "Tune the baselines (without L1, S1-S3, DGS, fixed 1:1, constant ratio) on validation."
        ) {
          ["wrote \(try BaselineTuningStage(try inputs($0)).run().path)"]
        },
        StageEntry(
          "evaluate", "Fresh task models under each controller seed and every tuned baseline; paired comparisons.",
          options: [version("controller"), version("baselines")]
        ) { request in
          var stage = EvaluationStage(try inputs(request))
          stage.controllerVersion = try request.int("controller-version", atLeast: 1)
          stage.baselinesVersion = try request.int("baselines-version", atLeast: 1)
          return ["wrote \(try stage.run().path)"]
        },
        StageEntry(
          "transfer", "Table 2: the controller trained on data seed 1 guides models on new datasets.",
          options: [version("controller")]
        ) { request in
          let i = try inputs(request)
          let stages = ExperimentStages(kind: kind, config: i.config, context: i.context)
          let controllerVersion = try request.int("controller-version", atLeast: 1)
          return ["wrote \(try stages.transfer(controllerVersion: controllerVersion).path)"]
        },
        StageEntry("sweep", "Figure 1: joint objective vs AutoLoss (retrained per lambda) across lambda.") {
          let i = try inputs($0)
          return ["wrote \(try ExperimentStages(kind: kind, config: i.config, context: i.context).lambdaSweep().path)"]
        },
        StageEntry("ablation", "Table 3: retrain the controller without each feature group and evaluate.") {
          let i = try inputs($0)
          return ["wrote \(try ExperimentStages(kind: kind, config: i.config, context: i.context).ablation().path)"]
        },
      ])
  }
}

import Store

extension TaskRegistry {
  /// Multi-task NMT (paper section 5.4): baselines with the regime calibration, the online PPO
  /// controller and transfer. Config: `configs/<profile>/<config>.json` (option `config`: `nmt`,
  /// Turkish->English, or `nmt-de-en`, German->English).
  static let nmtFamily: TaskFamily = {
    let config = StageOptionSpec("config", "config name: configs/<profile>/<config>.json (default nmt)")
    let stage = nmtStage
    let lines = nmtLines
    return TaskFamily(
      name: "nmt", summary: "multi-task translation with POS/DEPREL tagging tasks", config: "nmt",
      stages: [
        StageEntry(
          "baselines", "MT only, FixedRatio, FineTuned, round robin and the best constant mix (tuned on validation).",
          options: [config]
        ) { lines(try stage($0).runBaselines()) },
        StageEntry("train", "AutoLoss: train models while the PPO controller learns online.", options: [config]) {
          lines(try stage($0).runAutoLoss())
        },
        StageEntry(
          "transfer", "The trained controller (frozen) on another model size and data slice, against FineTuned.",
          options: [config]
        ) { lines(try stage($0).runTransfer()) },
        StageEntry("all", "baselines, train, then transfer.", options: [config]) { request in
          let s = try stage(request)
          return try [s.runBaselines, s.runAutoLoss, s.runTransfer].flatMap { lines(try $0()) }
        },
      ])
  }()

  /// The NMT stage of the request's config.
  @Sendable static func nmtStage(_ request: StageRequest) throws -> NMTStage {
    let c = try NMTExperimentConfig.load(
      name: request.string("config") ?? "nmt", context: request.context, overrides: request.overrides)
    return NMTStage(config: c, context: request.context)
  }

  /// The summary text of an NMT stage, then the artifact it wrote.
  @Sendable static func nmtLines(_ result: (ResolvedArtifact, String)) -> [String] {
    [result.1, "wrote \(result.0.path)"]
  }
}

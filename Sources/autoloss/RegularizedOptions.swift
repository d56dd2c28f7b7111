import ArgumentParser
import Engine
import Pipeline
import Tasks

/// Options of the regression/classification stages: the task plus the shared stage options.
struct RegularizedOptions: ParsableArguments {
  @Option(help: "Task: regression or classification.")
  var task: RegularizedTaskKind

  @OptionGroup var stage: StageOptions

  /// The resolved config, the stage context and the prepared data file of the task; sets OpenBLAS
  /// to one thread.
  func load() throws -> (config: RegularizedExperimentConfig, context: StageContext, dataPath: String) {
    BLAS.setThreads(1)
    let context = stage.context
    let config = try RegularizedExperimentConfig.load(kind: task, context: context, overrides: stage.overrides)
    return (config, context, "\(context.dataRoot)/\(RegularizedDataset.fileName(kind: task))")
  }
}

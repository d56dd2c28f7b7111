import Engine
import Tasks

/// What every regression/classification stage starts from: the task, its resolved config, the
/// stage context, the artifact name and the prepared data file.
public struct RegularizedStageInputs: Sendable {
  public var kind: RegularizedTaskKind
  public var config: RegularizedExperimentConfig
  public var context: StageContext
  /// The artifact name, e.g. `regression`, `regression-no-gradient`.
  public var name: String
  /// The prepared data file.
  public var dataPath: String

  public init(
    kind: RegularizedTaskKind, config: RegularizedExperimentConfig, context: StageContext, name: String,
    dataPath: String
  ) {
    self.kind = kind
    self.config = config
    self.context = context
    self.name = name
    self.dataPath = dataPath
  }

  /// The inputs of `kind` under `context`: the profile's config with `overrides` on top, the
  /// artifact named after the task and `<data>/<kind>.h5`. Sets OpenBLAS to one thread (the
  /// stages run their trials side by side instead).
  public static func load(kind: RegularizedTaskKind, context: StageContext, overrides: [String]) throws
    -> RegularizedStageInputs
  {
    BLAS.setThreads(1)
    let config = try RegularizedExperimentConfig.load(kind: kind, context: context, overrides: overrides)
    return RegularizedStageInputs(
      kind: kind, config: config, context: context, name: kind.rawValue,
      dataPath: "\(context.dataRoot)/\(RegularizedDataset.fileName(kind: kind))")
  }
}

/// A regression/classification stage: built from ``RegularizedStageInputs``, whose fields it reads
/// through the forwarding properties below.
public protocol RegularizedStage {
  var inputs: RegularizedStageInputs { get }
  init(_ inputs: RegularizedStageInputs)
}

extension RegularizedStage {
  public init(
    kind: RegularizedTaskKind, config: RegularizedExperimentConfig, context: StageContext, name: String,
    dataPath: String
  ) {
    self.init(RegularizedStageInputs(kind: kind, config: config, context: context, name: name, dataPath: dataPath))
  }

  public var kind: RegularizedTaskKind { inputs.kind }
  public var config: RegularizedExperimentConfig { inputs.config }
  public var context: StageContext { inputs.context }
  public var name: String { inputs.name }
  public var dataPath: String { inputs.dataPath }
}

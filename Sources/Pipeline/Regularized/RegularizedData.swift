import Engine
import Store
import Tasks

/// The five splits of a prepared regression or classification dataset (`data/<name>.h5`).
public struct RegularizedDataset: Sendable {
  /// Controller training: the task model trains on `controllerTrain`, rewards come from `controllerValidation`.
  public var controllerData: TaskData
  /// Evaluation: fresh models train on `taskTrain`, stop on `taskValidation`, report on `test`.
  public var taskData: TaskData
  /// The file it came from, with its hash.
  public var source: ResolvedArtifact
  /// Regression only: the MSE of the true weights on the test split (the noise floor).
  public var testNoiseFloor: Double?
  /// Where the data came from: `official` (the official code's draws), `generated` (our
  /// generators) or `unknown` (a file prepared before the attribute existed).
  public var dataSource = "unknown"

  /// The file name of a prepared dataset of `kind` made with data seed `seed`.
  public static func fileName(kind: RegularizedTaskKind, seed: Int = 1) -> String {
    seed == 1 ? "\(kind.rawValue).h5" : "\(kind.rawValue)-seed\(seed).h5"
  }

  /// Reads `path`, checking its schema and the splits' shapes.
  public static func load(kind: RegularizedTaskKind, path: String) throws -> RegularizedDataset {
    guard FileManagerShim.exists(path) else {
      throw PipelineError(
        "\(path): prepared \(kind.rawValue) data not found; run `autoloss prep \(kind.rawValue)` first")
    }
    let file = try ArtifactReader.open(path, schema: "autoloss/dataset", supportedVersions: 1...1)
    defer { file.close() }
    let root = file.root
    func split(_ name: String) throws -> SupervisedSplit {
      let group = try root.group(name)
      let x = try group.read("x", as: Float.self)
      guard x.shape.count == 2, x.shape[0] > 0 else {
        throw PipelineError("\(path) /\(name)/x: expected a non-empty [N, D] float32 matrix, found shape \(x.shape)")
      }
      let inputs = Tensor(shape: x.shape, data: x.values)
      switch kind {
      case .regression:
        let y = try group.read("y", as: Float.self)
        guard y.shape == [x.shape[0]] else {
          throw PipelineError("\(path) /\(name)/y: expected shape [\(x.shape[0])], found \(y.shape)")
        }
        return SupervisedSplit(x: inputs, y: Tensor(shape: y.shape, data: y.values))
      case .classification:
        let labels = try group.read("labels", as: Int32.self)
        guard labels.shape == [x.shape[0]] else {
          throw PipelineError("\(path) /\(name)/labels: expected shape [\(x.shape[0])], found \(labels.shape)")
        }
        guard labels.values.allSatisfy({ $0 == 0 || $0 == 1 }) else {
          throw PipelineError("\(path) /\(name)/labels: expected binary labels 0/1")
        }
        return SupervisedSplit(x: inputs, labels: labels.values.map(Int.init))
      }
    }
    let controller = TaskData(
      train: try split("controller_train"), validation: try split("controller_validation"), test: nil)
    let task = TaskData(
      train: try split("task_train"), validation: try split("task_validation"), test: try split("test"))
    var floor: Double?
    if kind == .regression {
      let testGroup = try root.group("test")
      if testGroup.hasAttribute("noise_floor_mse") {
        floor = try testGroup.attribute("noise_floor_mse", as: Double.self)
      }
    }
    var dataset = RegularizedDataset(
      controllerData: controller, taskData: task, source: try ResolvedArtifact.file(path), testNoiseFloor: floor)
    if root.hasAttribute("data_source") { dataset.dataSource = try root.attributeString("data_source") }
    return dataset
  }
}

import Engine

/// Inputs and targets of one data split, in memory.
public struct SupervisedSplit: Sendable {
  /// Inputs `[N, D]`.
  public var x: Tensor
  /// Regression targets `[N]` (empty for classification).
  public var y: Tensor
  /// Class labels (empty for regression).
  public var labels: [Int]

  public init(x: Tensor, y: Tensor) {
    self.x = x
    self.y = y
    self.labels = []
  }

  public init(x: Tensor, labels: [Int]) {
    self.x = x
    self.y = Tensor(shape: [0], data: [])
    self.labels = labels
  }

  /// The number of examples.
  public var count: Int { x.shape[0] }

  /// The union of two splits (rows of `other` after rows of `self`).
  public func merged(with other: SupervisedSplit) -> SupervisedSplit {
    var s = self
    s.x = Tensor.concat([x, other.x], axis: 0)
    if y.count > 0 || other.y.count > 0 { s.y = Tensor.concat([y, other.y], axis: 0) }
    s.labels = labels + other.labels
    return s
  }
}

/// The train, validation and test data a task model sees in one run.
public struct TaskData: Sendable {
  public var train: SupervisedSplit
  public var validation: SupervisedSplit
  public var test: SupervisedSplit?

  public init(train: SupervisedSplit, validation: SupervisedSplit, test: SupervisedSplit?) {
    self.train = train
    self.validation = validation
    self.test = test
  }
}

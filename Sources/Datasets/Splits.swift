/// The five partitions the paper uses for the synthetic tasks, in generation order:
/// controller train (D^C_train), controller validation (D^C_val), task train (D^T_train),
/// task validation (D^T_val) and test.
public struct FiveWaySplit<Split: Sendable>: Sendable {
  public var controllerTrain: Split
  public var controllerValid: Split
  public var taskTrain: Split
  public var taskValid: Split
  public var test: Split

  public init(controllerTrain: Split, controllerValid: Split, taskTrain: Split, taskValid: Split, test: Split) {
    self.controllerTrain = controllerTrain
    self.controllerValid = controllerValid
    self.taskTrain = taskTrain
    self.taskValid = taskValid
    self.test = test
  }

  /// Stable names used for storage, in order.
  public static var names: [String] { ["controller_train", "controller_valid", "task_train", "task_valid", "test"] }

  /// The partitions in order, paired with their names.
  public var all: [(name: String, split: Split)] {
    Array(zip(Self.names, [controllerTrain, controllerValid, taskTrain, taskValid, test]))
  }
}

extension FiveWaySplit: Equatable where Split: Equatable {}

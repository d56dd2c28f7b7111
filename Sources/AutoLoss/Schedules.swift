import Engine

/// What a schedule decides for the next step.
public enum Decision: Sendable, Equatable {
  /// One step of the action, with the probabilities it was drawn from (one-hot for deterministic rules).
  case action(Int, probabilities: [Float])
  /// One step on the joint objective with these loss weights (grid-search baselines).
  case joint(weights: [Float])
}

/// Picks the next action of an ``AlternatingTask``.
public protocol Schedule {
  /// A short name for reports, e.g. `"fixed 1:1"`.
  var name: String { get }
  /// Called before each episode.
  mutating func reset()
  /// The decision for the task's next step.
  mutating func decide(_ task: AlternatingTask, rng: inout SeededRandom) -> Decision
  /// Why this schedule cannot run on `task` (a missing opt-in protocol), or nil when it can.
  func unsupportedReason(for task: AlternatingTask) -> String?
}

extension Schedule {
  /// Every task is supported unless a schedule says otherwise.
  public func unsupportedReason(for task: AlternatingTask) -> String? { nil }
}

func oneHot(_ i: Int, _ k: Int) -> [Float] {
  var p = [Float](repeating: 0, count: k)
  p[i] = 1
  return p
}

/// Cycles through a fixed pattern of actions, e.g. `[0, 1]` for 1:1 or `[0, 1, 1, 1]` for 1:3.
public struct FixedPattern: Schedule {
  /// The actions, cycled in order.
  public let pattern: [Int]
  /// The report name; defaults to `"pattern a,b,…"`.
  public let name: String
  private var position = 0

  /// Creates a schedule that repeats `pattern`.
  ///
  /// - Parameters:
  ///   - pattern: Action indices, cycled in order; must not be empty.
  ///   - name: The report name; defaults to `"pattern a,b,…"`.
  public init(_ pattern: [Int], name: String? = nil) {
    precondition(!pattern.isEmpty, "empty schedule pattern")
    self.pattern = pattern
    self.name = name ?? "pattern \(pattern.map(String.init).joined(separator: ","))"
  }

  /// D:G-style ratio `a:b`: `a` steps of action 0, then `b` steps of action 1.
  public static func ratio(_ a: Int, _ b: Int) -> FixedPattern {
    FixedPattern(Array(repeating: 0, count: a) + Array(repeating: 1, count: b), name: "fixed \(a):\(b)")
  }

  /// Restarts the pattern at its first action.
  public mutating func reset() { position = 0 }

  /// The pattern's next action, with one-hot probabilities over `task.actionNames`.
  public mutating func decide(_ task: AlternatingTask, rng: inout SeededRandom) -> Decision {
    let a = pattern[position % pattern.count]
    position += 1
    return .action(a, probabilities: oneHot(a, task.actionNames.count))
  }
}

/// Draws every action independently with fixed probabilities (the constant-ratio baseline).
public struct WeightedRandom: Schedule {
  /// The probability of each action, indexed like the task's `actionNames`.
  public let probabilities: [Float]
  /// The report name; defaults to `"random p0/p1/…"`.
  public let name: String

  /// Creates a schedule that draws actions with `probabilities`.
  ///
  /// - Parameters:
  ///   - probabilities: One probability per action, summing to 1.
  ///   - name: The report name; defaults to `"random p0/p1/…"` with two decimals.
  public init(_ probabilities: [Float], name: String? = nil) {
    self.probabilities = probabilities
    self.name = name ?? "random \(probabilities.map { String(format: "%.2f", $0) }.joined(separator: "/"))"
  }

  /// Does nothing: the schedule has no state.
  public mutating func reset() {}

  /// An action drawn from ``probabilities`` with `rng`.
  public mutating func decide(_ task: AlternatingTask, rng: inout SeededRandom) -> Decision {
    .action(rng.categorical(probabilities), probabilities: probabilities)
  }
}

/// Always steps on the joint objective Σ weights·losses (DGS and "without L1").
public struct JointObjective: Schedule {
  /// One weight per loss, indexed like the task's `lossNames`.
  public let weights: [Float]
  /// The report name.
  public let name: String

  /// Creates a schedule that always steps on Σ `weights[i]`·loss_i.
  public init(weights: [Float], name: String) {
    self.weights = weights
    self.name = name
  }

  /// Does nothing: the schedule has no state.
  public mutating func reset() {}
  /// Always ``Decision/joint(weights:)`` with ``weights``.
  public mutating func decide(_ task: AlternatingTask, rng: inout SeededRandom) -> Decision {
    .joint(weights: weights)
  }

  /// A message when `task` does not adopt ``JointObjectiveTask``, nil otherwise.
  public func unsupportedReason(for task: AlternatingTask) -> String? {
    task is JointObjectiveTask ? nil : "\(type(of: task)) has no joint objective (it does not adopt JointObjectiveTask)"
  }
}

/// The hand-designed rules S1-S3 (paper 5.1.1): take the regularization action (1) when
/// (A − B) / B > threshold, otherwise the task action (0).
public struct ThresholdRule: Schedule {
  /// Which ratio the rule compares.
  public enum Kind: String, Sendable, CaseIterable {
    /// A, B = validation and training task loss.
    case s1 = "S1"
    /// A, B = regularization loss and validation task loss.
    case s2 = "S2"
    /// A, B = regularization and task gradient norms.
    case s3 = "S3"
  }

  /// Which ratio the rule compares.
  public let kind: Kind
  /// The regularization action is taken when the ratio exceeds this value.
  public let threshold: Float
  /// The report name, e.g. `"S1 th=0.1"`.
  public var name: String { "\(kind.rawValue) th=\(threshold)" }

  /// Creates the rule `kind` with its threshold.
  public init(_ kind: Kind, threshold: Float) {
    self.kind = kind
    self.threshold = threshold
  }

  /// Does nothing: the rule has no state.
  public mutating func reset() {}

  /// The rule's ratio (A − B) / B for the current signals; nil while a signal is not known yet.
  public static func ratio(_ kind: Kind, _ s: ThresholdSignals) -> Float? {
    let (a, b): (Float, Float)
    switch kind {
    case .s1: (a, b) = (s.validationTaskLoss, s.trainingTaskLoss)
    case .s2: (a, b) = (s.regularizationLoss, s.validationTaskLoss)
    case .s3: (a, b) = (s.regularizationGradientNorm, s.taskGradientNorm)
    }
    return b > 0 && b.isFinite && a.isFinite ? (a - b) / b : nil
  }

  /// Takes the regularization action when the ratio exceeds the threshold, and the task action
  /// while the ratio is unknown (before the first task step, for example).
  public mutating func decide(_ task: AlternatingTask, rng: inout SeededRandom) -> Decision {
    let signals = (task as? ThresholdSignalTask)?.thresholdSignals
    let a = (signals.flatMap { Self.ratio(kind, $0) } ?? -.infinity) > threshold ? 1 : 0
    return .action(a, probabilities: oneHot(a, task.actionNames.count))
  }

  /// A message when `task` does not adopt ``ThresholdSignalTask``, nil otherwise.
  public func unsupportedReason(for task: AlternatingTask) -> String? {
    task is ThresholdSignalTask
      ? nil : "\(type(of: task)) reports no threshold signals (it does not adopt ThresholdSignalTask)"
  }
}

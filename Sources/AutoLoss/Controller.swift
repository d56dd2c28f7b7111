import Engine

/// The AutoLoss controller: a policy π(a | x) over K actions given a feature vector x.
///
/// The paper's network for regression, classification and GAN (official code, variant
/// `2layer_logits_clipping`): x → Linear(F, hidden) → leaky ReLU(0.2) → Linear(hidden, K) →
/// softmax(logits / c), with Xavier-uniform weights and zero biases. `hidden == 0` gives the linear
/// variant x → Linear(F, K) → softmax(logits / c). With an ``InputStandardization`` the features
/// are first mapped to (x − mean) / sd; features listed in `featureMask` as `false` are then zeroed
/// before the network sees them (the feature ablation).
public final class Controller: Module {
  /// The length F of the feature vector.
  public let featureCount: Int
  /// The number K of actions.
  public let actionCount: Int
  /// Hidden units; 0 for the linear controller.
  public let hidden: Int
  /// The softmax temperature c.
  public let temperature: Float
  /// Which features the controller may use.
  public let featureMask: [Bool]
  /// The fixed map of the raw features applied before the network (nil: raw features).
  public let standardization: InputStandardization?
  let layer1: Linear
  let layer2: Linear?

  /// Creates a controller with Xavier-uniform weights and zero biases.
  ///
  /// - Parameters:
  ///   - featureCount: The length F of the feature vector.
  ///   - actionCount: The number K of actions.
  ///   - hidden: Hidden units of the leaky-ReLU layer; 0 gives the linear controller.
  ///   - temperature: The softmax temperature c.
  ///   - featureMask: `F` flags, `false` zeroes that feature; nil keeps every feature.
  ///   - standardization: Per-feature means and SDs of `F` features; nil reads the raw features.
  ///   - rng: The source of the initial weights.
  public init(
    featureCount: Int, actionCount: Int, hidden: Int = 16, temperature: Float = 2,
    featureMask: [Bool]? = nil, standardization: InputStandardization? = nil, rng: inout SeededRandom
  ) {
    self.featureCount = featureCount
    self.actionCount = actionCount
    self.hidden = hidden
    self.temperature = temperature
    self.featureMask = featureMask ?? Array(repeating: true, count: featureCount)
    precondition(
      self.featureMask.count == featureCount, "feature mask of \(self.featureMask.count) for \(featureCount) features")
    precondition(
      standardization.map { $0.count == featureCount } ?? true,
      "standardization of \(standardization?.count ?? 0) features for \(featureCount) features")
    self.standardization = standardization
    if hidden > 0 {
      layer1 = Linear(featureCount, hidden, rng: &rng)
      layer2 = Linear(hidden, actionCount, rng: &rng)
    } else {
      layer1 = Linear(featureCount, actionCount, rng: &rng)
      layer2 = nil
    }
  }

  /// The weights and biases, named `layer1.weight`, `layer1.bias` (and `layer2.*` when `hidden > 0`).
  public var namedParameters: [(String, Variable)] {
    var list = prefixed("layer1", layer1)
    if let layer2 { list += prefixed("layer2", layer2) }
    return list
  }

  /// The network's input for one raw feature vector: standardised, then masked.
  func masked(_ x: [Float]) -> [Float] {
    var x = x
    if let standardization {
      for i in 0..<x.count { x[i] = standardization.apply(x[i], at: i) }
    }
    for i in 0..<x.count where !featureMask[i] { x[i] = 0 }
    return x
  }

  /// Action probabilities for one feature vector, computed without the tape.
  public func probabilities(_ features: [Float]) -> [Float] {
    precondition(features.count == featureCount, "\(features.count) features for a controller of \(featureCount)")
    let x = masked(features)
    func dense(_ input: [Float], _ layer: Linear) -> [Float] {
      let w = layer.weight.value
      let (n, m) = (w.shape[0], w.shape[1])
      var out = layer.bias?.value.data ?? [Float](repeating: 0, count: m)
      for i in 0..<n where input[i] != 0 {
        let xi = input[i]
        for j in 0..<m { out[j] += xi * w.data[i * m + j] }
      }
      return out
    }
    var logits: [Float]
    if let layer2 {
      let h = dense(x, layer1).map { $0 > 0 ? $0 : 0.2 * $0 }
      logits = dense(h, layer2)
    } else {
      logits = dense(x, layer1)
    }
    for j in 0..<logits.count { logits[j] /= temperature }
    return Tensor(shape: [logits.count], data: logits).softmax().data
  }

  /// Log-probabilities log π(a | x) for a batch of feature rows `[T, F]`, on the tape.
  public func logProbabilities(_ features: Tensor) -> Variable {
    var x = features
    for t in 0..<features.shape[0] {
      let row = t * featureCount..<(t + 1) * featureCount
      x.data.replaceSubrange(row, with: masked(Array(features.data[row])))
    }
    var logits: Variable
    if let layer2 {
      logits = layer2(layer1(Variable(x)).leakyRelu(0.2))
    } else {
      logits = layer1(Variable(x))
    }
    return (logits * (1 / temperature)).logSoftmax()
  }

  /// Re-draws every weight (the GAN collapse rule re-initializes the controller).
  public func reinitialize(rng: inout SeededRandom) {
    let fresh = Controller(
      featureCount: featureCount, actionCount: actionCount, hidden: hidden, temperature: temperature,
      featureMask: featureMask, standardization: standardization, rng: &rng)
    for ((_, mine), (_, theirs)) in zip(namedParameters, fresh.namedParameters) { mine.value = theirs.value }
  }
}

/// A schedule that samples the controller's policy at every step (at training and at test time,
/// as the official code does).
public struct PolicySchedule: Schedule {
  /// The policy sampled at every step.
  public let controller: Controller
  /// The report name.
  public let name: String
  /// Take the most probable action instead of sampling.
  public let greedy: Bool

  /// Creates a schedule that follows `controller`.
  ///
  /// - Parameters:
  ///   - controller: The policy.
  ///   - name: The report name.
  ///   - greedy: Take the most probable action instead of sampling.
  public init(_ controller: Controller, name: String = "AutoLoss", greedy: Bool = false) {
    self.controller = controller
    self.name = name
    self.greedy = greedy
  }

  /// Does nothing: the schedule has no state.
  public mutating func reset() {}

  /// The controller's action for `task.features()`: drawn with `rng`, or the most probable when ``greedy``.
  public mutating func decide(_ task: AlternatingTask, rng: inout SeededRandom) -> Decision {
    let p = controller.probabilities(task.features())
    let a = greedy ? (p.indices.max { p[$0] < p[$1] } ?? 0) : rng.categorical(p)
    return .action(a, probabilities: p)
  }
}

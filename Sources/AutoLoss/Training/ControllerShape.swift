import Engine

/// Everything needed to build a controller of a trainer's architecture (Sendable, so that jobs on
/// other threads or ranks can rebuild the controller from its weights).
public struct ControllerShape: Sendable, Equatable {
  /// The length F of the feature vector.
  public var featureCount: Int
  /// The number K of actions.
  public var actionCount: Int
  /// Hidden units; 0 for the linear controller.
  public var hidden: Int
  /// The softmax temperature c.
  public var temperature: Float
  /// `F` flags: `false` hides that feature from the controller.
  public var featureMask: [Bool]
  /// The fixed map of the raw features (nil: raw features).
  public var standardization: InputStandardization?

  /// Creates a shape from the ``Controller`` initializer's arguments.
  public init(
    featureCount: Int, actionCount: Int, hidden: Int, temperature: Float, featureMask: [Bool],
    standardization: InputStandardization? = nil
  ) {
    self.featureCount = featureCount
    self.actionCount = actionCount
    self.hidden = hidden
    self.temperature = temperature
    self.featureMask = featureMask
    self.standardization = standardization
  }

  /// A controller of this shape with freshly drawn weights (and a zero output layer when asked).
  public func make(rng: inout SeededRandom, zeroOutput: Bool = false) -> Controller {
    let c = Controller(
      featureCount: featureCount, actionCount: actionCount, hidden: hidden, temperature: temperature,
      featureMask: featureMask, standardization: standardization, rng: &rng)
    if zeroOutput { c.zeroOutputLayer() }
    return c
  }

  /// A controller of this shape holding `weights`.
  public func make(weights: [String: Tensor]) throws -> Controller {
    var rng = SeededRandom(seed: 0)
    let c = make(rng: &rng)
    try c.load(weights)
    return c
  }
}

extension Controller {
  /// Sets the output layer's weights and bias to zero: every action has probability exactly 1/K.
  public func zeroOutputLayer() {
    let last = layer2 ?? layer1
    last.weight.value = Tensor(shape: last.weight.value.shape, repeating: 0)
    if let bias = last.bias { bias.value = Tensor(shape: bias.value.shape, repeating: 0) }
  }

  /// The architecture of this controller.
  public var shape: ControllerShape {
    ControllerShape(
      featureCount: featureCount, actionCount: actionCount, hidden: hidden, temperature: temperature,
      featureMask: featureMask, standardization: standardization)
  }
}

/// The feature mask that hides `dropped` groups; throws when a dropped group is unknown.
public func featureMask(
  featureCount: Int, featureGroups: [(name: String, indices: [Int])], dropped: [String]
) throws -> [Bool] {
  var mask = Array(repeating: true, count: featureCount)
  for name in dropped {
    guard let group = featureGroups.first(where: { $0.name == name }) else {
      throw ControllerConfigError(
        message:
          "controller.droppedFeatureGroups: unknown group '\(name)'; expected one of \(featureGroups.map(\.name))")
    }
    for i in group.indices where i >= 0 && i < featureCount { mask[i] = false }
  }
  return mask
}

/// A fully connected layer: y = x · W + b with x `[batch, inputSize]`, W `[inputSize, outputSize]`,
/// b `[outputSize]`.
public final class Linear: Module {
  /// W `[inputSize, outputSize]`.
  public let weight: Variable
  /// b `[outputSize]`, nil when created with `bias: false`.
  public let bias: Variable?

  /// Creates the layer.
  ///
  /// - Parameters:
  ///   - inputSize: Features per input row.
  ///   - outputSize: Features per output row.
  ///   - bias: Whether to add a bias b.
  ///   - weightInit: Draws W, with fanIn = inputSize and fanOut = outputSize (Xavier-uniform by default).
  ///   - biasInit: Draws b (zeros by default).
  ///   - rng: The source of the initial values.
  public init(
    _ inputSize: Int, _ outputSize: Int, bias: Bool = true,
    weightInit: Initializer = .xavierUniform, biasInit: Initializer = .constant(0),
    rng: inout SeededRandom
  ) {
    weight = Variable(
      weightInit.make([inputSize, outputSize], fanIn: inputSize, fanOut: outputSize, rng: &rng),
      requiresGrad: true, name: "weight")
    self.bias =
      bias
      ? Variable(
        biasInit.make([outputSize], fanIn: inputSize, fanOut: outputSize, rng: &rng), requiresGrad: true, name: "bias")
      : nil
  }

  /// `weight` and, when the layer has one, `bias`.
  public var namedParameters: [(String, Variable)] {
    var list = [("weight", weight)]
    if let bias { list.append(("bias", bias)) }
    return list
  }

  /// Applies the layer to `x[batch, inputSize]`.
  public func callAsFunction(_ x: Variable) -> Variable {
    if Fusion.linear { return linear(x, weight, bias: bias) }
    let y = matmul(x, weight)
    if let bias { return y + bias }
    return y
  }
}

import Engine

/// A task model trained with a task loss plus an L1 penalty (the regression and classification tasks).
public protocol RegularizedModel: Module {
  /// The task loss on a split, on the tape (MSE or softmax cross-entropy).
  func taskLoss(_ split: SupervisedSplit) -> Variable
  /// Task loss and error on a split, without the tape (error: MSE, or classification error).
  func evaluate(_ split: SupervisedSplit) -> (loss: Float, error: Float)
  /// The task loss on a split, with `scale` times its gradient written into each parameter's
  /// `grad` (replacing what was there): `taskLoss(split).backward()` without building a tape.
  func taskLossAndGradient(_ split: SupervisedSplit, scale: Float) -> Float
}

/// The d-ary quadratic regression model of the official code: ŷ = x·w1 + (xᵀ W2 x) / 10, with
/// w1 `[d, 1]` ~ N(0, 0.1²), W2 `[d, d]` ~ N(0, 0.01²) and no bias (paper-spec section 2).
public final class QuadraticRegressor: RegularizedModel {
  public let w1: Variable
  public let w2: Variable
  let scratch = FusedScratch()

  public init(inputSize d: Int, rng: inout SeededRandom) {
    w1 = Variable(rng.normalTensor([d, 1], std: 0.1), requiresGrad: true, name: "w1")
    w2 = Variable(rng.normalTensor([d, d], std: 0.01), requiresGrad: true, name: "w2")
  }

  public var namedParameters: [(String, Variable)] { [("w1", w1), ("w2", w2)] }

  /// Predictions `[N]` for inputs `[N, d]`.
  public func predict(_ x: Tensor) -> Variable {
    let input = Variable(x)
    let linear = matmul(input, w1).reshaped([-1])
    let quadratic = (matmul(input, w2) * input).sum(axis: 1) * 0.1
    return linear + quadratic
  }

  public func taskLoss(_ split: SupervisedSplit) -> Variable { mseLoss(predict(split.x), split.y) }

  public func evaluate(_ split: SupervisedSplit) -> (loss: Float, error: Float) {
    let mse = fusedMSE(split)
    return (mse, mse)
  }
}

/// The classification MLP of the official code: x `[N, in]` → Dense(hidden) → ReLU → Dense(classes)
/// logits; weights truncated-normal(0.1), biases 0.1 (paper-spec section 3).
public final class MLPClassifier: RegularizedModel {
  public let hiddenLayer: Linear
  public let outputLayer: Linear
  let scratch = FusedScratch()

  public init(inputSize: Int, hidden: Int = 32, classes: Int = 2, rng: inout SeededRandom) {
    hiddenLayer = Linear(inputSize, hidden, weightInit: .truncatedNormal(0.1), biasInit: .constant(0.1), rng: &rng)
    outputLayer = Linear(hidden, classes, weightInit: .truncatedNormal(0.1), biasInit: .constant(0.1), rng: &rng)
  }

  public var namedParameters: [(String, Variable)] {
    prefixed("hidden", hiddenLayer) + prefixed("output", outputLayer)
  }

  /// Logits `[N, classes]`.
  public func logits(_ x: Tensor) -> Variable { outputLayer(hiddenLayer(Variable(x)).relu()) }

  public func taskLoss(_ split: SupervisedSplit) -> Variable {
    softmaxCrossEntropy(logits(split.x), labels: split.labels)
  }

  public func evaluate(_ split: SupervisedSplit) -> (loss: Float, error: Float) { fusedEvaluate(split) }

  /// Cross-entropy and classification error on the tape's ops (the reference of ``evaluate(_:)``).
  func tapeEvaluate(_ split: SupervisedSplit) -> (loss: Float, error: Float) {
    GradMode.withoutRecording {
      let z = logits(split.x)
      let loss = softmaxCrossEntropy(z, labels: split.labels).value.scalar
      let predicted = z.value.argmax()
      var wrong = 0
      for (p, l) in zip(predicted, split.labels) where p != l { wrong += 1 }
      return (loss, Float(wrong) / Float(max(split.count, 1)))
    }
  }
}

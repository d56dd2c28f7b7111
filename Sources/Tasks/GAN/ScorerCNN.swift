import Engine

/// The Inception-Score classifier of paper-spec 4.1 (Deng et al. 2017, official `models/mnist.py`):
/// images `[N, C, S, S]` in [0, 1] → conv 5×5 32 'SAME' + ReLU → max-pool 2 → conv 5×5 64 + ReLU →
/// max-pool 2 → FC 1024 + ReLU → dropout 0.5 → FC classes (logits `[N, classes]`).
public final class ScorerCNN: Module {
  public let channels: Int
  public let imageSize: Int
  public let classes: Int
  let conv1: Conv2d
  let conv2: Conv2d
  let fc1: Linear
  let fc2: Linear
  /// Dropout probability in training mode.
  public let dropout: Float = 0.5

  /// A scorer for `channels × imageSize × imageSize` images (PyTorch default init for the convs).
  public init(channels: Int = 1, imageSize: Int = 28, classes: Int = 10, rng: inout SeededRandom) {
    self.channels = channels
    self.imageSize = imageSize
    self.classes = classes
    conv1 = Conv2d(channels, 32, kernelSize: 5, padding: .same, rng: &rng)
    conv2 = Conv2d(32, 64, kernelSize: 5, padding: .same, rng: &rng)
    let s = (imageSize + 3) / 4
    fc1 = Linear(s * s * 64, 1024, rng: &rng)
    fc2 = Linear(1024, classes, rng: &rng)
  }

  /// The MNIST scorer (28×28 gray, 10 classes).
  public convenience init(rng: inout SeededRandom) {
    self.init(channels: 1, imageSize: 28, classes: 10, rng: &rng)
  }

  public var namedParameters: [(String, Variable)] {
    prefixed("conv1", conv1) + prefixed("conv2", conv2) + prefixed("fc1", fc1) + prefixed("fc2", fc2)
  }

  /// Logits `[N, classes]`; dropout is applied only when `rng` is given (training).
  public func logits(_ x: Variable, dropoutRNG rng: inout SeededRandom?) -> Variable {
    var h = maxPool2d(conv1(x).relu(), kernelSize: 2, padding: .same)
    h = maxPool2d(conv2(h).relu(), kernelSize: 2, padding: .same)
    h = fc1(h.flattened()).relu()
    if rng != nil { h = Engine.dropout(h, p: dropout, rng: &rng!) }
    return fc2(h)
  }

  /// One Adam step of softmax cross-entropy on a batch; returns the loss.
  @discardableResult
  public func trainStep(images: Tensor, labels: [Int], optimizer: Adam, rng: inout SeededRandom) -> Float {
    zeroGrad()
    var r: SeededRandom? = rng.fork()
    let loss = softmaxCrossEntropy(logits(Variable(images), dropoutRNG: &r), labels: labels)
    loss.backward()
    optimizer.step(parameters)
    return loss.value.scalar
  }

  /// Class probabilities `[N, classes]` for images `[N, C, S, S]`, in chunks of `batch`, without the tape.
  public func probabilities(_ images: Tensor, batch: Int = 250) -> Tensor {
    let n = images.shape[0]
    var out: [Float] = []
    out.reserveCapacity(n * classes)
    var start = 0
    while start < n {
      let end = min(n, start + batch)
      let chunk = images.slice(rows: start..<end)
      var none: SeededRandom? = nil
      let p = GradMode.withoutRecording { logits(Variable(chunk), dropoutRNG: &none).value.softmax() }
      out += p.data
      start = end
    }
    return Tensor(shape: [n, classes], data: out)
  }
}

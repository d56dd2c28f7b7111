import Engine

/// The LeNet-style MNIST scorer of paper-spec 4.1: conv 5×5 32 'SAME' + ReLU → max-pool 2 →
/// conv 5×5 64 'SAME' + ReLU → max-pool 2 → FC 1024 + ReLU → dropout 0.5 → FC 10.
final class BenchScorer: Module {
  let conv1: Conv2d
  let conv2: Conv2d
  let fc1: Linear
  let fc2: Linear

  init(rng: inout SeededRandom) {
    conv1 = Conv2d(1, 32, kernelSize: 5, padding: .same, rng: &rng)
    conv2 = Conv2d(32, 64, kernelSize: 5, padding: .same, rng: &rng)
    fc1 = Linear(7 * 7 * 64, 1024, rng: &rng)
    fc2 = Linear(1024, 10, rng: &rng)
  }

  var namedParameters: [(String, Variable)] {
    prefixed("conv1", conv1) + prefixed("conv2", conv2) + prefixed("fc1", fc1) + prefixed("fc2", fc2)
  }

  func logits(_ x: Variable, rng: inout SeededRandom) -> Variable {
    let h1 = maxPool2d(conv1(x).relu())
    let h2 = maxPool2d(conv2(h1).relu())
    let f = dropout(fc1(h2.flattened()).relu(), p: 0.5, rng: &rng)
    return fc2(f)
  }
}

extension BenchCatalog {
  /// One scorer training step on a batch of 64: softmax cross-entropy, Adam(1e-3).
  public static func scorer(batch: Int = 64) -> BenchCase {
    let first = BenchFLOPs.conv(inC: 1, outC: 32, outH: 28, outW: 28, k: 5)
    let macs =
      first + BenchFLOPs.conv(inC: 32, outC: 64, outH: 14, outW: 14, k: 5) + BenchFLOPs.dense(3136, 1024)
      + BenchFLOPs.dense(1024, 10)
    // forward, weight gradients, input gradients of all but the first layer
    let flops = 2 * Double(batch) * (3 * macs - first)
    return BenchCase(name: "scorer", flops: flops) {
      var rng = SeededRandom(seed: 6)
      let model = BenchScorer(rng: &rng)
      let x = rng.uniformTensor([batch, 1, 28, 28], 0, 1)
      let labels = (0..<batch).map { _ in rng.int(below: 10) }
      let adam = Adam(learningRate: 1e-3)
      let params = model.parameters
      return {
        model.zeroGrad()
        softmaxCrossEntropy(model.logits(Variable(x), rng: &rng), labels: labels).backward()
        adam.step(params)
      }
    }
  }
}

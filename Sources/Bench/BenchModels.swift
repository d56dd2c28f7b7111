import Engine
import Tasks

/// The workloads of `autoloss bench`: one full training step (zero grad, forward, backward, Adam) of
/// every task model, and a bare sgemm. `scripts/bench_torch.py` builds the same models in PyTorch.
public enum BenchCatalog {
  /// Every case, in report order.
  public static func all() -> [BenchCase] {
    [
      regression(), mlp(), dcganDStep(), dcganGStep(), scorer(), nmt(), sgemm(512), dConv2(nil), dConv2(.onednn),
      dConv2(.im2col), dConv2(.openblas), regressionEpisode(), classificationEpisode(), ganEpisode(),
    ]
  }

  /// The names of ``all()``, without building anything.
  public static var names: [String] { all().map(\.name) }

  /// The quadratic regression model (d = 16), MSE on a full batch of 200.
  public static func regression(batch: Int = 200, d: Int = 16) -> BenchCase {
    // forward x·w1 and x·W2, backward dW1 and dW2 (the input needs no gradient)
    let flops = 2 * 2 * Double(batch * d * (1 + d))
    return BenchCase(name: "regression", flops: flops) {
      var rng = SeededRandom(seed: 1)
      let model = QuadraticRegressor(inputSize: d, rng: &rng)
      let split = SupervisedSplit(x: rng.normalTensor([batch, d]), y: rng.normalTensor([batch]))
      let adam = Adam(learningRate: 1e-3)
      let params = model.parameters
      return {
        model.zeroGrad()
        model.taskLoss(split).backward()
        adam.step(params)
      }
    }
  }

  /// The 32-32-2 classification MLP, softmax cross-entropy on a batch of 200.
  public static func mlp(batch: Int = 200, input: Int = 32, hidden: Int = 32, classes: Int = 2) -> BenchCase {
    let macs = Double(batch * (input * hidden + hidden * classes))
    // forward, both weight gradients, and the hidden layer's input gradient
    let flops = 2 * (2 * macs + Double(batch * hidden * classes))
    return BenchCase(name: "mlp", flops: flops) {
      var rng = SeededRandom(seed: 2)
      let model = MLPClassifier(inputSize: input, hidden: hidden, classes: classes, rng: &rng)
      let labels = (0..<batch).map { _ in rng.int(below: classes) }
      let split = SupervisedSplit(x: rng.normalTensor([batch, input]), labels: labels)
      let adam = Adam(learningRate: 1e-3)
      let params = model.parameters
      return {
        model.zeroGrad()
        model.taskLoss(split).backward()
        adam.step(params)
      }
    }
  }

  /// Single-precision GEMM of two `size × size` matrices (no autodiff, no allocation per call).
  public static func sgemm(_ size: Int) -> BenchCase {
    BenchCase(name: "sgemm\(size)", flops: 2 * Double(size * size * size)) {
      var rng = SeededRandom(seed: 3)
      let a = rng.normalTensor([size, size]).data
      let b = rng.normalTensor([size, size]).data
      let c = UnsafeMutablePointer<Float>.allocate(capacity: size * size)
      c.initialize(repeating: 0, count: size * size)
      return {
        a.withUnsafeBufferPointer { pa in
          b.withUnsafeBufferPointer { pb in
            BLAS.gemm(transA: false, transB: false, m: size, n: size, k: size, pa.baseAddress!, pb.baseAddress!, c)
          }
        }
      }
    }
  }
}

/// Multiply-add counts of the layer types the benchmarks use (per example).
enum BenchFLOPs {
  /// A convolution producing `outC × outH × outW` from `inC` channels with a `k × k` kernel.
  static func conv(inC: Int, outC: Int, outH: Int, outW: Int, k: Int) -> Double {
    Double(outC * outH * outW * inC * k * k)
  }

  /// A transposed convolution from `inC × inH × inW` to `outC` channels with a `k × k` kernel.
  static func deconv(inC: Int, inH: Int, inW: Int, outC: Int, k: Int) -> Double {
    Double(inC * inH * inW * outC * k * k)
  }

  /// A dense layer.
  static func dense(_ input: Int, _ output: Int) -> Double { Double(input * output) }
}

import Engine

// The heaviest convolution of the DCGAN D step (width 64: 64 → 128 channels, 14×14 → 7×7, 5×5
// kernel, stride 2, 'SAME'), forward plus both backward passes, through oneDNN's direct primitives,
// through im2col + oneDNN's `dnnl_sgemm` (the default route of this layer) and through im2col +
// OpenBLAS, so `make bench` shows each path's GFLOP/s back to back in one process; `d_conv2` takes the
// engine's default route and is timed beside PyTorch's `conv2d` of the same shape (scripts/bench_torch.py).

extension BenchCatalog {
  /// Which path ``dConv2(_:batch:width:)`` times.
  public enum ConvPath: String, Sendable {
    /// oneDNN's direct primitives for all three passes.
    case onednn
    /// im2col + `dnnl_sgemm`.
    case im2col
    /// im2col + OpenBLAS.
    case openblas
  }

  /// Forward, input gradient and weight gradient of the D step's second convolution at batch 64
  /// through `path`, or with the engine's switches as they are when `path` is nil (name `d_conv2`).
  public static func dConv2(_ path: ConvPath?, batch: Int = 64, width: Int = 64) -> BenchCase {
    let macs = Double(batch) * BenchFLOPs.conv(inC: width, outC: 2 * width, outH: 7, outW: 7, k: 5)
    return BenchCase(name: path.map { "d_conv2_\($0.rawValue)" } ?? "d_conv2", flops: 3 * 2 * macs) {
      var rng = SeededRandom(seed: 8)
      let x = Variable(rng.normalTensor([batch, width, 14, 14]), requiresGrad: true)
      let w = Variable(rng.normalTensor([2 * width, width, 5, 5], std: 0.05), requiresGrad: true)
      let b = Variable(Tensor.zeros([2 * width]), requiresGrad: true)
      let seed = rng.normalTensor([batch, 2 * width, 7, 7])
      return {
        let saved = BenchEngineSwitches()
        defer { saved.restore() }
        if let path {
          DNNL.convolutions = true
          DNNL.convolutionRoute = path == .onednn ? .directFirst : .im2col
          DNNL.convolutionGEMMs = path == .im2col
        }
        for v in [x, w, b] { v.zeroGrad() }
        conv2d(x, w, bias: b, stride: 2, padding: .same).backward(seed: seed)
      }
    }
  }
}

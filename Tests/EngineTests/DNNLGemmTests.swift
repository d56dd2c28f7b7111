import XCTest

@testable import Engine

/// `DNNL.gemm` (oneDNN's sgemm) against OpenBLAS on small shapes with every transpose and beta.
final class DNNLGemmTests: XCTestCase {
  func testMatchesOpenBLAS() {
    var rng = SeededRandom(seed: 21)
    for (m, n, k) in [(7, 5, 3), (200, 16, 16), (16, 16, 200), (33, 2, 32)] {
      for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
        let a = rng.normalTensor([m * k]).data
        let b = rng.normalTensor([k * n]).data
        let c0 = rng.normalTensor([m * n]).data
        for beta: Float in [0, 1] {
          var viaDNNL = c0
          var viaBLAS = c0
          a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
              viaDNNL.withUnsafeMutableBufferPointer {
                DNNL.gemm(
                  transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, pa.baseAddress!, pb.baseAddress!,
                  beta: beta, $0.baseAddress!)
              }
              viaBLAS.withUnsafeMutableBufferPointer {
                BLAS.gemm(
                  transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, pa.baseAddress!, pb.baseAddress!,
                  beta: beta, $0.baseAddress!)
              }
            }
          }
          let worst = zip(viaDNNL, viaBLAS).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
          XCTAssertLessThan(worst, 1e-4, "m \(m) n \(n) k \(k) transA \(transA) transB \(transB) beta \(beta)")
        }
      }
    }
  }
}

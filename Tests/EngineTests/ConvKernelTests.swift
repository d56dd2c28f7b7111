import XCTest

@testable import Engine

/// The raw convolution and transpose kernels (vectorized transposes and runs) against naive loops, and batched
/// convolutions split into several chunks against the same convolutions image by image.
final class ConvKernelTests: XCTestCase {
  func testTransposeMatchesNaiveLoopForAllEdgeShapes() {
    var rng = SeededRandom(seed: 31)
    for (rows, cols) in [(1, 1), (3, 5), (4, 4), (7, 9), (8, 33), (37, 12), (64, 5), (49, 24)] {
      for (padS, padD) in [(0, 0), (3, 1)] {
        let (srcStride, dstStride) = (cols + padS, rows + padD)
        let src = (0..<(rows * srcStride)).map { _ in rng.uniform(-1, 1) }
        var dst = [Float](repeating: .nan, count: cols * dstStride)
        var sum = [Float](repeating: 2, count: cols * dstStride)
        src.withUnsafeBufferPointer { s in
          dst.withUnsafeMutableBufferPointer { d in
            TransposeKernels.transpose(
              s.baseAddress!, rows: rows, cols: cols, srcStride: srcStride, d.baseAddress!, dstStride: dstStride,
              adding: 0.5)
          }
          sum.withUnsafeMutableBufferPointer { d in
            TransposeKernels.transpose(
              s.baseAddress!, rows: rows, cols: cols, srcStride: srcStride, d.baseAddress!, dstStride: dstStride,
              accumulate: true)
          }
        }
        for r in 0..<rows {
          for c in 0..<cols {
            XCTAssertEqual(dst[c * dstStride + r], src[r * srcStride + c] + 0.5, "\(rows)x\(cols) at \(r),\(c)")
            XCTAssertEqual(sum[c * dstStride + r], src[r * srcStride + c] + 2, "accumulated \(rows)x\(cols)")
          }
        }
        for c in 0..<cols {
          for r in rows..<dstStride { XCTAssert(dst[c * dstStride + r].isNaN, "\(rows)x\(cols) wrote padding") }
        }
      }
    }
  }

  func testCopyAndAddRunsMatchNaiveLoops() {
    var rng = SeededRandom(seed: 32)
    for (length, step, runs) in [(8, 16, 5), (24, 48, 3), (5, 10, 4), (3, 3, 6), (16, 16, 2), (1, 2, 7)] {
      let src = (0..<(runs * max(step, length))).map { _ in rng.uniform(-1, 1) }
      var copied = [Float](repeating: 0, count: runs * length)
      src.withUnsafeBufferPointer { s in
        copied.withUnsafeMutableBufferPointer {
          ConvKernels.copyRuns(s.baseAddress!, step: step, $0.baseAddress!, runs: runs, length: length)
        }
      }
      var added = [Float](repeating: 1, count: runs * max(step, length))
      copied.withUnsafeBufferPointer { s in
        added.withUnsafeMutableBufferPointer {
          ConvKernels.addRuns(s.baseAddress!, $0.baseAddress!, step: step, runs: runs, length: length)
        }
      }
      for r in 0..<runs {
        for t in 0..<length {
          XCTAssertEqual(copied[r * length + t], src[r * step + t], "copy \(length)/\(step) run \(r)")
          XCTAssertEqual(added[r * step + t], 1 + src[r * step + t], "add \(length)/\(step) run \(r)")
        }
      }
    }
  }

  /// A batch of 19 in chunks of 8, 8 and 3 (vector and scalar paths) against 19 single-image calls:
  /// outputs and the gradients of input, weight and bias agree.
  func testChunkedBatchMatchesImageByImage() {
    var rng = SeededRandom(seed: 33)
    let n = 19
    let x = rng.normalTensor([n, 3, 9, 8])
    for transposed in [false, true] {
      for (stride, padding) in [(2, ConvPadding.same), (1, .valid)] {
        let w = rng.normalTensor(transposed ? [3, 4, 5, 5] : [4, 3, 5, 5])
        let b = rng.normalTensor([4])
        func run(_ input: Tensor, upstream: Tensor?) -> (y: Tensor, dx: Tensor, dw: Tensor, db: Tensor) {
          let (xv, wv, bv) = (
            Variable(input, requiresGrad: true), Variable(w, requiresGrad: true), Variable(b, requiresGrad: true)
          )
          let y =
            transposed
            ? convTranspose2d(xv, wv, bias: bv, stride: stride, padding: padding)
            : conv2d(xv, wv, bias: bv, stride: stride, padding: padding)
          y.backward(seed: upstream ?? Tensor(shape: y.shape, repeating: 1))
          return (y.value, xv.grad!, wv.grad!, bv.grad!)
        }
        let probe = run(x.slice(rows: 0..<1), upstream: nil)
        let upstream = rng.normalTensor([n] + probe.y.shape.dropFirst())
        let batched = ConvKernels.$imagesPerChunk.withValue(8) { run(x, upstream: upstream) }
        var (dw, db) = (Tensor.zeros(w.shape), Tensor.zeros([4]))
        for i in 0..<n {
          let single = run(x.slice(rows: i..<(i + 1)), upstream: upstream.slice(rows: i..<(i + 1)))
          let what = "\(transposed ? "convT" : "conv") s\(stride) image \(i)"
          assertConvClose(batched.y.slice(rows: i..<(i + 1)), single.y, what + " output")
          assertConvClose(batched.dx.slice(rows: i..<(i + 1)), single.dx, what + " dx")
          dw = dw + single.dw
          db = db + single.db
        }
        assertConvClose(batched.dw, dw, tol: 1e-3, "dw")
        assertConvClose(batched.db, db, tol: 1e-3, "db")
      }
    }
  }
}

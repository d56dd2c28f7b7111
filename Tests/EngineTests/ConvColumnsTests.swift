import XCTest

@testable import Engine

/// conv2d's weight gradient from the forward pass's kept columns (``Fusion/convColumns``) against a
/// second im2col in the backward pass, on the im2col route with several chunks: the same GEMMs on the
/// same columns, so outputs and all gradients are identical; and the kept path passes a gradient check.
final class ConvColumnsTests: XCTestCase {
  private func withIm2col<T>(_ kept: Bool, _ body: () -> T) -> T {
    let saved = (DNNL.convolutionRoute, Fusion.convColumns)
    defer { (DNNL.convolutionRoute, Fusion.convColumns) = saved }
    (DNNL.convolutionRoute, Fusion.convColumns) = (.im2col, kept)
    return ConvKernels.$imagesPerChunk.withValue(4) { body() }
  }

  func testKeptColumnsMatchASecondUnfold() {
    var rng = SeededRandom(seed: 41)
    let x = rng.normalTensor([11, 3, 9, 8])
    let w = rng.normalTensor([5, 3, 5, 5])
    let b = rng.normalTensor([5])
    for (stride, padding) in [(2, ConvPadding.same), (1, .valid)] {
      let upstream = rng.normalTensor(conv2d(Variable(x), Variable(w), stride: stride, padding: padding).shape)
      func run(_ kept: Bool) -> [Tensor?] {
        withIm2col(kept) {
          let vars = [x, w, b].map { Variable($0, requiresGrad: true) }
          let y = conv2d(vars[0], vars[1], bias: vars[2], stride: stride, padding: padding)
          y.backward(seed: upstream)
          return [y.value] + vars.map(\.grad)
        }
      }
      let (kept, unfolded) = (run(true), run(false))
      for (i, name) in ["output", "dx", "dw", "db"].enumerated() {
        XCTAssertEqual(kept[i], unfolded[i], "\(name), stride \(stride)")
      }
    }
  }

  func testGradientCheckWithKeptColumns() {
    let x = randomVariable([5, 2, 7, 6], seed: 42)
    let w = randomVariable([3, 2, 3, 3], seed: 43)
    let b = randomVariable([3], seed: 44)
    withIm2col(true) {
      gradientCheck([x, w, b]) { conv2d($0[0], $0[1], bias: $0[2], stride: 2, padding: .same) }
    }
  }

  func testFrozenWeightKeepsNoColumnsAndStillGivesTheInputGradient() {
    var rng = SeededRandom(seed: 45)
    let x = rng.normalTensor([6, 2, 8, 8])
    let w = rng.normalTensor([3, 2, 5, 5])
    func inputGradient(_ kept: Bool, weightGrad: Bool) -> Tensor? {
      withIm2col(kept) {
        let xv = Variable(x, requiresGrad: true)
        let y = conv2d(xv, Variable(w, requiresGrad: weightGrad), stride: 2, padding: .same)
        y.backward(seed: Tensor(shape: y.shape, repeating: 1))
        return xv.grad
      }
    }
    XCTAssertEqual(inputGradient(true, weightGrad: false), inputGradient(false, weightGrad: true))
  }
}

import Foundation

/// Inception Score of class probabilities: exp(E_x KL(p(y|x) ‖ p(y))), computed on each of `splits`
/// equal chunks (p(y) is the chunk's mean prediction) and averaged (Salimans et al. 2016; the
/// official `inception_score_mnist.py`).
///
/// - Parameters: `probabilities` `[N, classes]` row-major, rows summing to 1.
/// - Returns: the mean and the standard deviation over the splits (std 0 for one split).
public func inceptionScore(probabilities: [Float], classes: Int, splits: Int = 1) -> (mean: Float, std: Float) {
  precondition(
    classes > 0 && probabilities.count % classes == 0, "\(probabilities.count) values for \(classes) classes")
  let n = probabilities.count / classes
  let k = max(1, min(splits, n))
  guard n > 0 else { return (.nan, .nan) }
  var scores: [Double] = []
  for s in 0..<k {
    let (lo, hi) = (s * n / k, (s + 1) * n / k)
    var marginal = [Double](repeating: 0, count: classes)
    for i in lo..<hi { for c in 0..<classes { marginal[c] += Double(probabilities[i * classes + c]) } }
    let m = Double(hi - lo)
    for c in 0..<classes { marginal[c] /= m }
    var kl = 0.0
    for i in lo..<hi {
      for c in 0..<classes {
        let p = Double(probabilities[i * classes + c])
        if p > 0 { kl += p * (Foundation.log(p) - Foundation.log(max(marginal[c], 1e-30))) }
      }
    }
    scores.append(Foundation.exp(kl / m))
  }
  let mean = scores.reduce(0, +) / Double(k)
  let variance = scores.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(k)
  return (Float(mean), Float(variance.squareRoot()))
}

import Engine

/// The element-wise mean of parameter sets that share names and shapes: the Polyak average of a
/// controller's weights at several points of its training.
public enum WeightAverage {
  /// The mean of `states`, summed in the given order; nil when `states` is empty or two of them
  /// differ in their parameter names or shapes.
  public static func mean(_ states: [[String: Tensor]]) -> [String: Tensor]? {
    guard let first = states.first else { return nil }
    var sum = first
    for state in states.dropFirst() {
      guard state.count == sum.count else { return nil }
      for (name, tensor) in state {
        guard let partial = sum[name], partial.shape == tensor.shape else { return nil }
        sum[name]?.addScaled(tensor)
      }
    }
    let n = Float(states.count)
    return sum.mapValues { t in Tensor(shape: t.shape, data: t.data.map { $0 / n }) }
  }
}

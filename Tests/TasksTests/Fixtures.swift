import Engine
import Tasks

/// Small synthetic data made in the tests (no downloads): the paper's regression generator and a
/// two-blob classification problem with noise features.
enum TaskFixtures {
  static func regression(n: Int = 200, seed: UInt64 = 1, d: Int = 16) -> (TaskData, w: [Float]) {
    var rng = SeededRandom(seed: seed)
    let w = (0..<d).map { _ in rng.uniform(-0.5, 0.5) }
    func split() -> SupervisedSplit {
      let x = rng.uniformTensor([n, d], -5, 5)
      var y = [Float](repeating: 0, count: n)
      for i in 0..<n {
        var s: Float = 0
        for j in 0..<d { s += w[j] * x.data[i * d + j] }
        y[i] = s + rng.normal(std: 2)
      }
      return SupervisedSplit(x: x, y: Tensor(shape: [n], data: y))
    }
    return (TaskData(train: split(), validation: split(), test: split()), w)
  }

  static func classification(n: Int = 200, seed: UInt64 = 2, d: Int = 32) -> TaskData {
    var rng = SeededRandom(seed: seed)
    func split(_ count: Int) -> SupervisedSplit {
      var x = rng.normalTensor([count, d])
      var labels = [Int]()
      for i in 0..<count {
        let label = i % 2
        labels.append(label)
        x.data[i * d] += label == 0 ? -1.2 : 1.2
        x.data[i * d + 1] += label == 0 ? 0.8 : -0.8
      }
      return SupervisedSplit(x: x, labels: labels)
    }
    return TaskData(train: split(n), validation: split(400), test: split(400))
  }
}

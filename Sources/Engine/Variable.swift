/// A node of the reverse-mode tape: a tensor value, its gradient, and how to push a gradient
/// back to the variables it was computed from.
///
/// Leaves made with `requiresGrad: true` are trainable parameters: `backward()` accumulates into
/// their `grad` until ``zeroGrad()``. Intermediate nodes hold a gradient only during `backward()`.
/// Ops record a node only when an input requires a gradient and recording is on (see ``GradMode``).
public final class Variable {
  /// The forward value.
  public var value: Tensor
  /// The accumulated gradient, with the shape of `value`; `nil` until something flows in.
  public var grad: Tensor?
  /// Whether gradients flow into this variable (a parameter can be frozen for a while with
  /// ``Module/withFrozenParameters(_:)``).
  public internal(set) var requiresGrad: Bool
  /// The name of a parameter (for example `"gen.deconv1.weight"`); empty for intermediates.
  public var name: String

  let parents: [Variable]
  let backwardFn: ((Tensor) -> Void)?

  /// A leaf variable. Pass `requiresGrad: true` for a trainable parameter.
  public init(_ value: Tensor, requiresGrad: Bool = false, name: String = "") {
    self.value = value
    self.requiresGrad = requiresGrad
    self.name = name
    self.parents = []
    self.backwardFn = nil
  }

  /// An interior node. `backward` receives the gradient of this node's value and must
  /// call ``accumulate(_:)`` on the parents that require gradients.
  init(_ value: Tensor, parents: [Variable], backward: @escaping (Tensor) -> Void) {
    self.value = value
    self.requiresGrad = true
    self.name = ""
    self.parents = parents
    self.backwardFn = backward
  }

  /// The shape of the value.
  public var shape: [Int] { value.shape }

  /// Adds `g` to this variable's gradient.
  public func accumulate(_ g: Tensor) {
    guard requiresGrad else { return }
    precondition(g.count == value.count, "gradient shape \(g.shape) for value \(value.shape)")
    if grad == nil {
      grad = g.shape == value.shape ? g : g.reshaped(value.shape)
    } else {
      grad!.addScaled(g)
    }
  }

  /// Clears the gradient.
  public func zeroGrad() { grad = nil }

  /// Back-propagates from this variable, seeded with `seed` (ones by default, so a scalar
  /// loss gives d loss / d parameter). Leaf gradients accumulate; interior gradients are freed.
  public func backward(seed: Tensor? = nil) {
    guard requiresGrad else { return }
    var order: [Variable] = []
    var visited = Set<ObjectIdentifier>()
    var stack: [(Variable, Bool)] = [(self, false)]
    while let (node, expanded) = stack.popLast() {
      if expanded {
        order.append(node)
        continue
      }
      let id = ObjectIdentifier(node)
      if visited.contains(id) { continue }
      visited.insert(id)
      stack.append((node, true))
      for p in node.parents where p.requiresGrad && !visited.contains(ObjectIdentifier(p)) {
        stack.append((p, false))
      }
    }
    accumulate(seed ?? Tensor.ones(value.shape))
    for node in order.reversed() {
      guard let fn = node.backwardFn, let g = node.grad else { continue }
      fn(g)
      node.grad = nil
    }
  }

  /// A constant copy of the value that is cut off from the tape.
  public func detached() -> Variable { Variable(value) }
}

/// Whether ops record backward nodes. Recording is on by default and is switched off per task
/// or thread with ``GradMode/withoutRecording(_:)`` (for evaluation).
public enum GradMode {
  @TaskLocal static var isRecording = true

  /// Whether ops currently record backward nodes.
  public static var isEnabled: Bool { isRecording }

  /// Runs `body` with recording switched off: results carry no gradient.
  public static func withoutRecording<T>(_ body: () throws -> T) rethrows -> T {
    try $isRecording.withValue(false) { try body() }
  }
}

extension Variable {
  /// Records a node computed from `inputs` if any input needs a gradient; otherwise returns a constant.
  static func make(
    _ value: Tensor, _ inputs: [Variable], backward: @escaping (Tensor) -> Void
  ) -> Variable {
    if inputs.contains(where: \.requiresGrad) && GradMode.isRecording {
      return Variable(value, parents: inputs, backward: backward)
    }
    return Variable(value)
  }
}

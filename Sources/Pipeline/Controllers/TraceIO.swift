import AutoLoss
import Engine
import Store

/// Writes and reads ``EpisodeTrace`` groups in HDF5 (design.md section 5).
///
/// Layout of one episode group: `actions` int32[T], `probabilities` float32[T,K],
/// `features` float32[T,F], `losses` float32[T,M], `checks/step` int32[V], `checks/error`
/// float32[V], `checks/extra` float32[V]; attributes `steps`, `best_error`, `test_error`, `outcome`.
public enum TraceIO {
  public static func write(
    _ trace: EpisodeTrace, to group: HDF5Group, actionCount: Int, featureCount: Int, lossCount: Int
  ) throws {
    let t = trace.actions.count
    let level = 4
    try group.write("actions", trace.actions, shape: [t], compression: t > 0 ? level : nil)
    if trace.probabilities.count == t * actionCount && t > 0 {
      try group.write("probabilities", trace.probabilities, shape: [t, actionCount], compression: level)
    }
    if trace.features.count == t * featureCount && t > 0 {
      try group.write("features", trace.features, shape: [t, featureCount], compression: level)
    }
    if trace.losses.count == t * lossCount && t > 0 {
      try group.write("losses", trace.losses, shape: [t, lossCount], compression: level)
    }
    let checks = try group.createGroup("checks")
    try checks.write("step", trace.checks.map { Int32($0.step) }, shape: [trace.checks.count])
    try checks.write("error", trace.checks.map(\.error), shape: [trace.checks.count])
    try checks.write("extra", trace.checks.map(\.extra), shape: [trace.checks.count])
    try group.setAttribute("steps", Int64(trace.steps))
    try group.setAttribute("best_error", Double(trace.bestValidationError))
    try group.setAttribute("test_error", Double(trace.testError))
    try group.setAttribute("outcome", trace.outcome)
  }

  public static func read(from group: HDF5Group) throws -> EpisodeTrace {
    var trace = EpisodeTrace()
    trace.actions = try group.read("actions", as: Int32.self).values
    if group.contains("probabilities") { trace.probabilities = try group.read("probabilities", as: Float.self).values }
    if group.contains("features") { trace.features = try group.read("features", as: Float.self).values }
    if group.contains("losses") { trace.losses = try group.read("losses", as: Float.self).values }
    let checks = try group.group("checks")
    let steps = try checks.read("step", as: Int32.self).values
    let errors = try checks.read("error", as: Float.self).values
    let extras = try checks.read("extra", as: Float.self).values
    trace.checks = zip(steps, zip(errors, extras)).map {
      ValidationCheck(step: Int($0.0), error: $0.1.0, extra: $0.1.1)
    }
    trace.steps = Int(try group.attribute("steps", as: Int64.self))
    trace.bestValidationError = Float(try group.attribute("best_error", as: Double.self))
    trace.testError = Float(try group.attribute("test_error", as: Double.self))
    trace.outcome = try group.attributeString("outcome")
    return trace
  }

  /// The zero-padded group name of episode `index`.
  public static func episodeName(_ index: Int) -> String {
    let s = String(index)
    return String(repeating: "0", count: max(0, 4 - s.count)) + s
  }
}

/// Writes and reads controller parameters (`name` → tensor) as datasets of a group.
public enum ParameterIO {
  public static func write(_ state: [String: Tensor], to group: HDF5Group) throws {
    for (name, tensor) in state.sorted(by: { $0.key < $1.key }) {
      try group.write(name, tensor.data, shape: tensor.shape)
    }
  }

  public static func read(from group: HDF5Group) throws -> [String: Tensor] {
    var state: [String: Tensor] = [:]
    for name in try group.list() {
      let a = try group.read(name, as: Float.self)
      state[name] = Tensor(shape: a.shape, data: a.values)
    }
    return state
  }
}

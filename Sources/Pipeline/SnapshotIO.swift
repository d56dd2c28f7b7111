import AutoLoss
import Engine
import Store

/// Writes and reads a ``ReinforceSnapshot`` (controller, best controller, baseline, Adam state) so
/// that controller training resumes after the last finished episode.
enum SnapshotIO {
  static func write(_ s: ReinforceSnapshot, to group: HDF5Group) throws {
    try ParameterIO.write(s.controller, to: try group.createGroup("controller"))
    try ParameterIO.write(s.bestController, to: try group.createGroup("best_controller"))
    try group.setAttribute("baseline", Double(s.baseline ?? .nan))
    try group.setAttribute("best_error", Double(s.bestError))
    try group.setAttribute("episodes_done", Int64(s.episodesDone))
    try group.setAttribute("episodes_since_best", Int64(s.episodesSinceBest))
    let adam = try group.createGroup("adam")
    try adam.setAttribute("step_count", Int64(s.optimizerState.stepCount))
    for (i, (m, v)) in zip(s.optimizerState.m, s.optimizerState.v).enumerated() {
      try adam.write("m_\(i)", m, shape: [m.count])
      try adam.write("v_\(i)", v, shape: [v.count])
    }
    try adam.setAttribute("slots", Int64(s.optimizerState.m.count))
  }

  static func read(from group: HDF5Group) throws -> ReinforceSnapshot {
    let baseline = try group.attribute("baseline", as: Double.self)
    let adam = try group.group("adam")
    let slots = Int(try adam.attribute("slots", as: Int64.self))
    var m: [[Float]] = []
    var v: [[Float]] = []
    for i in 0..<slots {
      m.append(try adam.read("m_\(i)", as: Float.self).values)
      v.append(try adam.read("v_\(i)", as: Float.self).values)
    }
    return ReinforceSnapshot(
      controller: try ParameterIO.read(from: try group.group("controller")),
      bestController: try ParameterIO.read(from: try group.group("best_controller")),
      baseline: baseline.isNaN ? nil : Float(baseline),
      bestError: Float(try group.attribute("best_error", as: Double.self)),
      episodesDone: Int(try group.attribute("episodes_done", as: Int64.self)),
      episodesSinceBest: Int(try group.attribute("episodes_since_best", as: Int64.self)),
      optimizerState: AdamState(stepCount: Int(try adam.attribute("step_count", as: Int64.self)), m: m, v: v))
  }
}

import AutoLoss
import Foundation
import Store

/// Writes and reads a ``ControllerTrainerSnapshot`` in an HDF5 group: its Codable JSON (floats as
/// bit patterns, so the restore is exact) in the string dataset `state`, with readable attributes
/// `episodes_done` and `updates_done` beside it.
public enum SnapshotIO {
  public static func write(_ s: ControllerTrainerSnapshot, to group: HDF5Group) throws {
    let data: Data
    do {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]  // the same bytes for the same state in every run
      data = try encoder.encode(s)
    } catch {
      throw PipelineError("cannot encode the controller-trainer snapshot: \(error)")
    }
    try group.writeStrings("state", [String(decoding: data, as: UTF8.self)])
    try group.setAttribute("episodes_done", Int64(s.episodesDone))
    try group.setAttribute("updates_done", Int64(s.updatesDone))
  }

  public static func read(from group: HDF5Group) throws -> ControllerTrainerSnapshot {
    guard let text = try group.readStrings("state").first else {
      throw PipelineError("\(group.file.path): snapshot group has an empty 'state' dataset")
    }
    do {
      return try JSONDecoder().decode(ControllerTrainerSnapshot.self, from: Data(text.utf8))
    } catch {
      throw PipelineError("\(group.file.path): snapshot 'state' is not a controller-trainer snapshot: \(error)")
    }
  }
}

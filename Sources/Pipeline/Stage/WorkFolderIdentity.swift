import Foundation
import Store

/// Opens a resumable stage's work folder: true when it holds an identical earlier run (its
/// `identity.txt` equals `identity`), so the caller resumes from it; otherwise the folder is emptied,
/// recreated with `identity` written, and false is returned. An identity file that exists but cannot
/// be read or written is an error naming it.
func openWorkFolder(_ directory: String, identity: String) throws -> Bool {
  let identityFile = directory + "/identity.txt"
  if FileManagerShim.exists(identityFile) {
    let existing: String
    do {
      existing = try String(contentsOfFile: identityFile, encoding: .utf8)
    } catch {
      throw PipelineError("\(identityFile): cannot read the work folder's identity: \(error.localizedDescription)")
    }
    if existing == identity { return true }
  }
  FileManagerShim.remove(directory)
  try FileManagerShim.createDirectory(directory)
  do {
    try identity.write(toFile: identityFile, atomically: true, encoding: .utf8)
  } catch {
    throw PipelineError("cannot write \(identityFile): \(error.localizedDescription)")
  }
  return false
}

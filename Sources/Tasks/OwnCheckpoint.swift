import Engine

extension Module {
  /// Restores a checkpoint this same module produced with `stateDict()` (the best-so-far state a
  /// task keeps, or the state saved just before a test evaluation). `load` can only fail on a
  /// missing name or a changed shape, which cannot happen for the module's own state dict, so a
  /// failure is a programming error and stops with its message instead of being ignored.
  func restoreOwnCheckpoint(_ state: [String: Tensor]) {
    do {
      try load(state)
    } catch {
      preconditionFailure("restoring a module's own checkpoint failed (programming error): \(error)")
    }
  }
}

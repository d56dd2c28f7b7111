import CHDF5
import Foundation

/// Process-wide access to the HDF5 C library.
///
/// Debian's libhdf5 is the "serial" build, and the Store layer does not rely on its optional
/// thread-safety. Every HDF5 call made by this module runs under one global recursive lock, so
/// parallel tasks that each write their own file cannot corrupt the library's global state.
/// An `HDF5File` and the groups and datasets opened from it are still meant to be used from one
/// thread at a time (they are not `Sendable`).
enum HDF5Library {
  private static let lock = NSRecursiveLock()

  /// Turns off HDF5's exit-time cleanup before the library's first use. That cleanup retries
  /// flushing every file still open, including one whose writes failed (a full disk, a file-size
  /// limit), and crashes inside the library on it. Nothing is lost without it: every file this
  /// module writes is closed explicitly (an artifact's commit or discard), and an uncommitted
  /// artifact is a temporary that is removed anyway.
  private static let exitCleanupDisabled: Void = { _ = H5dont_atexit() }()

  /// Runs `body` holding the global HDF5 lock, with automatic error printing turned off.
  static func locked<R>(_ body: () throws -> R) rethrows -> R {
    lock.lock()
    defer { lock.unlock() }
    _ = exitCleanupDisabled
    // The error stack (and its auto-print setting) is per thread in thread-safe builds,
    // so silencing is repeated on each entry; it is a cheap call.
    h5s_silence_errors()
    return try body()
  }

  /// The innermost message of the current HDF5 error stack, then clears the stack.
  /// Call it right after a failed HDF5 call, inside `locked`.
  static func takeErrorDetail() -> String? {
    final class Collector { var messages: [String] = [] }
    let collector = Collector()
    let client = Unmanaged.passUnretained(collector).toOpaque()
    _ = H5Ewalk2(
      h5s_e_default(), H5E_WALK_UPWARD,
      { _, err, data in
        guard let err, let data, let desc = err.pointee.desc else { return 0 }
        let collector = Unmanaged<Collector>.fromOpaque(data).takeUnretainedValue()
        collector.messages.append(String(cString: desc))
        return 0
      }, client)
    withExtendedLifetime(collector) {}
    _ = H5Eclear2(h5s_e_default())
    return collector.messages.first(where: { !$0.isEmpty })
  }

  /// `message` plus the HDF5 library's own explanation, if it left one.
  static func describe(_ message: String) -> String {
    guard let detail = takeErrorDetail() else { return message }
    return "\(message) (HDF5: \(detail))"
  }

  /// The library version, e.g. "1.10.8".
  static var version: String {
    locked {
      var major: UInt32 = 0
      var minor: UInt32 = 0
      var release: UInt32 = 0
      _ = H5get_libversion(&major, &minor, &release)
      return "\(major).\(minor).\(release)"
    }
  }
}

/// Closes an HDF5 identifier with the matching close call when the scope ends.
struct H5Handle: ~Copyable {
  enum Kind { case dataspace, datatype, plist, attribute, dataset, group }
  let id: hid_t
  let kind: Kind

  init(_ id: hid_t, _ kind: Kind) {
    self.id = id
    self.kind = kind
  }

  deinit {
    guard id >= 0 else { return }
    switch kind {
    case .dataspace: _ = H5Sclose(id)
    case .datatype: _ = H5Tclose(id)
    case .plist: _ = H5Pclose(id)
    case .attribute: _ = H5Aclose(id)
    case .dataset: _ = H5Dclose(id)
    case .group: _ = H5Gclose(id)
    }
  }
}

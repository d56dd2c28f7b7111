import Foundation

/// Progress of long work: a redrawn bar with rate and ETA on a terminal, plain periodic lines
/// otherwise (logs, CI).
public final class ProgressDisplay: @unchecked Sendable {
  private let label: String
  private let total: Int
  private let enabled: Bool
  private let isTerminal: Bool
  private let start = Date()
  private var lastPrint = Date.distantPast
  private var done = 0
  private let lock = NSLock()
  /// Seconds between plain lines when the output is not a terminal.
  public var lineInterval: TimeInterval = 10

  public init(_ label: String, total: Int, enabled: Bool = true) {
    self.label = label
    self.total = max(total, 1)
    self.enabled = enabled
    self.isTerminal = isatty(STDERR_FILENO) != 0
  }

  /// Marks `count` more units done, with a short status text (e.g. the latest reward).
  public func advance(by count: Int = 1, status: String = "") {
    lock.lock()
    defer { lock.unlock() }
    done += count
    guard enabled else { return }
    let now = Date()
    let finished = done >= total
    let interval = isTerminal ? 0.2 : lineInterval
    guard finished || now.timeIntervalSince(lastPrint) >= interval else { return }
    lastPrint = now
    let elapsed = now.timeIntervalSince(start)
    let rate = elapsed > 0 ? Double(done) / elapsed : 0
    let eta = rate > 0 ? Double(total - done) / rate : 0
    let fraction = Double(min(done, total)) / Double(total)
    let timing = String(format: "%.2f/s, elapsed %@, ETA %@", rate, Self.clock(elapsed), Self.clock(eta))
    if isTerminal {
      let width = 24
      let filled = Int(fraction * Double(width))
      let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
      let line = "\r\(label) [\(bar)] \(done)/\(total) \(timing) \(status)"
      FileHandle.standardError.write(
        Data((line.padding(toLength: max(line.count, 100), withPad: " ", startingAt: 0) + (finished ? "\n" : "")).utf8))
    } else {
      FileHandle.standardError.write(
        Data("\(label): \(done)/\(total) (\(Int(fraction * 100))%) \(timing) \(status)\n".utf8))
    }
  }

  /// Ends the display early (for example when patience stops training).
  public func finish(status: String = "") {
    lock.lock()
    let remaining = total - done
    lock.unlock()
    if remaining > 0 && enabled {
      lock.lock()
      done = total - 1
      lock.unlock()
      advance(by: 1, status: status)
    }
  }

  static func clock(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    return s >= 3600
      ? String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
  }
}

/// Writes a line to standard error. On ranks other than 0 of an MPI job (``setLogRank(_:)``) only
/// error lines are written, prefixed with the rank.
public func log(_ message: String) {
  let rank = logRank.withLock { $0 }
  if rank > 0 {
    guard message.hasPrefix("error") else { return }
    FileHandle.standardError.write(Data(("rank \(rank): " + message + "\n").utf8))
  } else {
    FileHandle.standardError.write(Data((message + "\n").utf8))
  }
}

/// Sets the MPI rank that ``log(_:)`` writes for (0: everything).
public func setLogRank(_ rank: Int) { logRank.withLock { $0 = rank } }

private let logRank = LockedValue(0)

/// A value behind a lock.
final class LockedValue<T>: @unchecked Sendable {
  private var value: T
  private let lock = NSLock()
  init(_ value: T) { self.value = value }
  func withLock<R>(_ body: (inout T) -> R) -> R { lock.withLock { body(&value) } }
}

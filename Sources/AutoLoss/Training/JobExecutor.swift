import Foundation

/// Runs independent jobs (controller-training episodes, baseline runs, evaluation trials) and
/// returns their results in job order.
///
/// Two implementations share this interface: ``LocalExecutor`` (threads inside this process) and
/// the MPI executor of the `Distributed` target (ranks across processes and machines, threads inside
/// each rank). Results are identical whichever runs them: a job's outcome may depend only on its
/// index, never on the rank, the thread or the order in which jobs finish.
public protocol JobExecutor: AnyObject, Sendable {
  /// This participant's index (the MPI rank; 0 in a single process).
  var rank: Int { get }
  /// How many participants share the work (MPI ranks; 1 in a single process).
  var size: Int { get }
  /// Threads each participant runs jobs on. Job bodies receive a slot in `0..<slots` so that a
  /// caller can keep one task model per slot.
  var slots: Int { get }

  /// Runs `body(job, slot)` once for every `job` in `0..<count`, spread over the participants and
  /// their threads, and returns every result, in job order, on every participant.
  ///
  /// When a body throws on any participant, every participant throws (the first error in job
  /// order), so that no rank waits forever for another.
  func map<R: Codable & Sendable>(count: Int, _ body: @escaping @Sendable (_ job: Int, _ slot: Int) throws -> R)
    throws -> [R]

  /// Returns rank 0's `value` on every participant (`value` is ignored on the other ranks).
  func broadcast<T: Codable & Sendable>(_ value: T?) throws -> T
}

extension JobExecutor {
  /// Whether this participant writes artifacts and traces (rank 0).
  public var isCoordinator: Bool { rank == 0 }
}

/// An error raised by a job or by the executor itself, naming the job that failed.
public struct JobExecutionError: Error, CustomStringConvertible, Sendable {
  /// The failed job's index, nil for an error of the executor itself.
  public var job: Int?
  /// What went wrong.
  public var message: String
  /// Creates an error for `job` (nil: the executor itself).
  public init(job: Int?, message: String) {
    self.job = job
    self.message = message
  }
  /// `"job <index>: <message>"`, or the message alone.
  public var description: String { job.map { "job \($0): \(message)" } ?? message }
}

/// Runs jobs on up to `slots` threads of this process (one participant, rank 0 of 1).
public final class LocalExecutor: JobExecutor, @unchecked Sendable {
  /// Threads jobs run on (at least 1).
  public let slots: Int
  /// Always 0: a local executor is the only participant.
  public var rank: Int { 0 }
  /// Always 1.
  public var size: Int { 1 }

  /// Creates an executor that runs jobs on up to `slots` threads.
  ///
  /// - Parameter slots: Threads to run jobs on (raised to 1 when smaller).
  public init(slots: Int = 1) { self.slots = max(1, slots) }

  /// Runs `body(job, slot)` for every job in `0..<count` on up to ``slots`` threads.
  ///
  /// - Returns: The results in job order.
  /// - Throws: The error of the first failing job in job order.
  public func map<R: Codable & Sendable>(count: Int, _ body: @escaping @Sendable (Int, Int) throws -> R) throws
    -> [R]
  {
    guard count > 0 else { return [] }
    let results = JobSlots<Result<R, Error>>(count)
    let threads = min(slots, count)
    DispatchQueue.concurrentPerform(iterations: threads) { slot in
      while let job = results.claim() {
        do { results.store(.success(try body(job, slot)), at: job) } catch { results.store(.failure(error), at: job) }
      }
    }
    var out: [R] = []
    out.reserveCapacity(count)
    for (job, result) in results.values.enumerated() {
      switch result {
      case .success(let value): out.append(value)
      case .failure(let error): throw error
      case nil: throw JobExecutionError(job: job, message: "produced no result")
      }
    }
    return out
  }

  /// Returns `value` (this process is rank 0).
  ///
  /// - Throws: ``JobExecutionError`` when `value` is nil.
  public func broadcast<T: Codable & Sendable>(_ value: T?) throws -> T {
    guard let value else { throw JobExecutionError(job: nil, message: "broadcast from rank 0 without a value") }
    return value
  }
}

/// Per-job slots that worker threads claim and fill in under a lock: each job index is handed out
/// once (``claim()``), and its value stored at that index (``store(_:at:)``). Shared by the local and
/// MPI executors and the pipeline's thread pool.
public final class JobSlots<Value>: @unchecked Sendable {
  /// The stored values, in job order (nil where a job has not finished).
  public private(set) var values: [Value?]
  private var next = 0
  private let lock = NSLock()

  /// - Parameter count: the number of jobs.
  public init(_ count: Int) { values = Array(repeating: nil, count: count) }

  /// The next job index, or nil when every job has been claimed.
  public func claim() -> Int? {
    lock.withLock {
      guard next < values.count else { return nil }
      next += 1
      return next - 1
    }
  }

  /// Stores the value of job `index`.
  public func store(_ value: Value, at index: Int) { lock.withLock { values[index] = value } }
}

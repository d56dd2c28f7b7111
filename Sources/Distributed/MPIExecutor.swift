import AutoLoss
import Foundation

/// Runs jobs across the ranks of an MPI job (`mpirun`, `srun`), with `slots` threads in each rank.
///
/// Jobs are split round-robin (job `j` runs on rank `j % size`), a static split that needs no
/// coordination. Each rank encodes its results (``BinaryEncoder``: floats bit-exact) and one
/// `MPI_Allgatherv` hands every result, in job order, to every rank. A job that throws is sent as
/// a failure record in the same exchange, so every rank throws the first failure in job order and
/// none waits for another. A rank that dies ends the whole job (Open MPI's launcher kills the
/// others and reports which rank died).
///
/// Every rank runs the same stage code (SPMD); only ``map(count:_:)`` divides work, so code outside
/// a map must be deterministic and cheap. Rank 0 alone writes artifacts.
public final class MPIExecutor: JobExecutor, @unchecked Sendable {
  public let slots: Int
  public let rank: Int
  public let size: Int
  private let runtime: MPIRuntime

  /// Joins the MPI job (initializing MPI once per process).
  /// - Parameter slots: threads each rank runs jobs on (at least 1).
  public init(slots: Int = 1) throws {
    runtime = try MPIRuntime.initialized()
    self.slots = max(1, slots)
    rank = runtime.rank
    size = runtime.size
  }

  /// The jobs this rank runs under the round-robin split: `rank, rank + size, ...`.
  public static func jobs(count: Int, rank: Int, size: Int) -> [Int] {
    Array(stride(from: rank, to: count, by: max(size, 1)))
  }

  public func map<R: Codable & Sendable>(count: Int, _ body: @escaping @Sendable (Int, Int) throws -> R) throws -> [R] {
    guard count > 0 else { return [] }
    let mine = Self.jobs(count: count, rank: rank, size: size)
    let timings = JobTimings.fromEnvironment(rank: rank)
    let records = runLocally(mine) { job, slot in
      let start = DispatchTime.now().uptimeNanoseconds
      defer { timings?.record(job: job, count: count, nanoseconds: DispatchTime.now().uptimeNanoseconds - start) }
      do {
        return try JobRecord.success(BinaryEncoder().encode(body(job, slot)))
      } catch {
        return JobRecord.failure("\(error)")
      }
    }
    timings?.flush()
    // The first record states how many jobs this rank was asked for, so ranks that disagree
    // (different configs or data) fail with a clear message instead of mixing results.
    var payload: [UInt8] = []
    JobRecord.success(Array(String(count).utf8)).write(to: &payload)
    for record in records { record.write(to: &payload) }
    let (all, counts) = try runtime.allgatherBytes(payload)
    let perRank = try JobRecord.split(all, counts: counts)
    let stated = perRank.map { records -> String in
      if case .success(let b) = records.first { return String(decoding: b, as: UTF8.self) }
      return "?"
    }
    guard stated.allSatisfy({ $0 == String(count) }) else {
      throw JobExecutionError(
        job: nil,
        message:
          "ranks disagree on the work: jobs per rank \(stated.enumerated().map { "rank \($0.offset): \($0.element)" }.joined(separator: ", ")) (same command, config and data on every rank?)"
      )
    }
    for r in 0..<size where perRank[r].count != 1 + Self.jobs(count: count, rank: r, size: size).count {
      throw JobExecutionError(job: nil, message: "rank \(r) sent \(perRank[r].count - 1) results for \(count) jobs")
    }
    var out: [R] = []
    out.reserveCapacity(count)
    for job in 0..<count {
      switch perRank[job % size][1 + job / size] {
      case .failure(let message):
        throw JobExecutionError(job: job, message: "\(message) (on rank \(job % size))")
      case .success(let bytes):
        do {
          out.append(try BinaryDecoder().decode(R.self, from: bytes))
        } catch {
          throw JobExecutionError(job: job, message: "could not decode its result from rank \(job % size): \(error)")
        }
      }
    }
    return out
  }

  public func broadcast<T: Codable & Sendable>(_ value: T?) throws -> T {
    var bytes: [UInt8] = []
    var failure = ""
    if rank == 0 {
      if let value {
        do { bytes = try BinaryEncoder().encode(value) } catch { failure = "\(error)" }
      } else {
        failure = "broadcast from rank 0 without a value"
      }
    }
    var record: [UInt8] = []
    (failure.isEmpty ? JobRecord.success(bytes) : .failure(failure)).write(to: &record)
    let received = try runtime.broadcast(record)
    guard let first = try JobRecord.split(received, counts: [received.count]).first?.first else {
      throw JobExecutionError(job: nil, message: "broadcast: nothing received from rank 0")
    }
    switch first {
    case .failure(let message): throw JobExecutionError(job: nil, message: "broadcast: \(message)")
    case .success(let payload): return try BinaryDecoder().decode(T.self, from: payload)
    }
  }

  /// Runs `body` for each of `jobs` on up to `slots` threads; results in the order of `jobs`.
  private func runLocally(_ jobs: [Int], _ body: @escaping @Sendable (Int, Int) -> JobRecord) -> [JobRecord] {
    let results = JobSlots<JobRecord>(jobs.count)
    DispatchQueue.concurrentPerform(iterations: max(1, min(slots, jobs.count))) { slot in
      while let i = results.claim() { results.store(body(jobs[i], slot), at: i) }
    }
    return results.values.map { $0 ?? .failure("produced no result") }
  }
}

/// One job's outcome on the wire: a status byte, a 64-bit length, then the encoded result or the
/// error message.
enum JobRecord {
  case success([UInt8])
  case failure(String)

  func write(to out: inout [UInt8]) {
    let (status, bytes): (UInt8, [UInt8])
    switch self {
    case .success(let b): (status, bytes) = (0, b)
    case .failure(let m): (status, bytes) = (1, Array(m.utf8))
    }
    out.append(status)
    withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { out += $0 }
    out += bytes
  }

  /// The records of each rank, from the concatenated buffers (`counts` bytes per rank).
  static func split(_ all: [UInt8], counts: [Int]) throws -> [[JobRecord]] {
    var offset = 0
    var perRank: [[JobRecord]] = []
    for (rank, byteCount) in counts.enumerated() {
      let end = offset + byteCount
      var records: [JobRecord] = []
      while offset < end {
        guard offset + 9 <= end else { throw BinaryCodingError("rank \(rank)'s results are truncated") }
        let status = all[offset]
        let length = all[offset + 1..<offset + 9].enumerated().reduce(UInt64(0)) {
          $0 | UInt64($1.element) << (8 * UInt64($1.offset))
        }
        offset += 9
        guard length <= UInt64(end - offset) else { throw BinaryCodingError("rank \(rank)'s results are truncated") }
        let bytes = Array(all[offset..<offset + Int(length)])
        offset += Int(length)
        records.append(status == 0 ? .success(bytes) : .failure(String(decoding: bytes, as: UTF8.self)))
      }
      perRank.append(records)
    }
    return perRank
  }
}

/// Per-job wall times appended to `$AUTOLOSS_JOB_TIMES.rank<r>` (lines `jobs job seconds`), for
/// scripts/bench_mpi.sh; off unless the variable is set.
private final class JobTimings: @unchecked Sendable {
  private let path: String
  private var lines: [String] = []
  private let lock = NSLock()
  private init(path: String) { self.path = path }

  static func fromEnvironment(rank: Int) -> JobTimings? {
    guard let prefix = ProcessInfo.processInfo.environment["AUTOLOSS_JOB_TIMES"], !prefix.isEmpty else { return nil }
    return JobTimings(path: "\(prefix).rank\(rank)")
  }

  func record(job: Int, count: Int, nanoseconds: UInt64) {
    let line = "\(count) \(job) \(String(format: "%.4f", Double(nanoseconds) / 1e9))\n"
    lock.withLock { lines.append(line) }
  }

  func flush() {
    let text = lock.withLock { lines.joined() }
    guard let handle = FileHandle(forWritingAtPath: path) ?? createFile() else { return }
    handle.seekToEndOfFile()
    handle.write(Data(text.utf8))
    handle.closeFile()
  }

  private func createFile() -> FileHandle? {
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    return FileHandle(forWritingAtPath: path)
  }
}

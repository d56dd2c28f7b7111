import AutoLoss
import CMPI
import Foundation

/// The process-wide MPI state: initialized once (`MPI_Init_thread`), finalized at a clean exit.
///
/// Errors on `MPI_COMM_WORLD` return codes (`MPI_ERRORS_RETURN`) instead of aborting, so a failed
/// collective becomes a Swift error with MPI's own message. Every call goes through one lock
/// (the thread level asked for is `MPI_THREAD_SERIALIZED`).
final class MPIRuntime: @unchecked Sendable {
  let rank: Int
  let size: Int
  private let lock = NSLock()

  private static let shared = Mutex()
  private final class Mutex: @unchecked Sendable {
    let lock = NSLock()
    var runtime: MPIRuntime?
    var failure: String?
  }

  /// The runtime, initializing MPI on the first call.
  static func initialized() throws -> MPIRuntime {
    try shared.lock.withLock {
      if let runtime = shared.runtime { return runtime }
      if let failure = shared.failure { throw JobExecutionErrorFactory.mpi(failure) }
      do {
        let runtime = try MPIRuntime()
        shared.runtime = runtime
        return runtime
      } catch {
        shared.failure = "\(error)"
        throw error
      }
    }
  }

  private init() throws {
    var provided: Int32 = 0
    var code = MPI_Init_thread(nil, nil, cmpi_thread_serialized(), &provided)
    guard code == cmpi_success() else { throw JobExecutionErrorFactory.mpi("MPI_Init_thread failed (code \(code))") }
    _ = cmpi_finalize_at_clean_exit()
    code = MPI_Comm_set_errhandler(cmpi_comm_world(), cmpi_errors_return())
    var r: Int32 = 0
    var s: Int32 = 0
    MPI_Comm_rank(cmpi_comm_world(), &r)
    MPI_Comm_size(cmpi_comm_world(), &s)
    rank = Int(r)
    size = Int(s)
    Self.reportTermination(
      "autoloss rank \(rank): stopped by the MPI launcher (another rank failed or the job was cancelled); "
        + "the artifact being written was not committed\n")
  }

  /// The message the SIGTERM handler writes (set once, before the handler is installed).
  nonisolated(unsafe) private static var terminationMessage = UnsafeMutablePointer<CChar>.allocate(capacity: 256)

  /// When the launcher stops this rank (SIGTERM: another rank died, or the job was cancelled),
  /// says so on standard error and exits with status 143. The handler only calls `write` and `_exit`.
  private static func reportTermination(_ message: String) {
    let bytes = Array(message.utf8.prefix(255))
    for (i, b) in bytes.enumerated() { terminationMessage[i] = CChar(bitPattern: b) }
    terminationMessage[bytes.count] = 0
    signal(SIGTERM) { _ in
      let message = MPIRuntime.terminationMessage
      _ = write(2, message, strlen(message))
      _exit(143)
    }
  }

  /// Runs `body` under the MPI lock and turns a failing return code into an error naming `call`.
  private func call(_ name: String, _ body: () -> Int32) throws {
    let code = lock.withLock { body() }
    guard code != cmpi_success() else { return }
    throw JobExecutionErrorFactory.mpi("\(name) failed on rank \(rank): \(Self.errorString(code))")
  }

  static func errorString(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: Int(cmpi_max_error_string()) + 1)
    var length: Int32 = 0
    guard MPI_Error_string(code, &buffer, &length) == cmpi_success() else { return "MPI error \(code)" }
    return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Every rank's `value`, in rank order.
  func allgather(_ value: Int64) throws -> [Int64] {
    var send = value
    var receive = [Int64](repeating: 0, count: size)
    try call("MPI_Allgather") {
      receive.withUnsafeMutableBytes { r in
        MPI_Allgather(&send, 1, cmpi_int64(), r.baseAddress, 1, cmpi_int64(), cmpi_comm_world())
      }
    }
    return receive
  }

  /// Every rank's bytes, concatenated in rank order, with each rank's byte count.
  func allgatherBytes(_ bytes: [UInt8]) throws -> (bytes: [UInt8], counts: [Int]) {
    let counts = try allgather(Int64(bytes.count)).map(Int.init)
    let total = counts.reduce(0, +)
    guard total <= Int(Int32.max), counts.allSatisfy({ $0 <= Int(Int32.max) }) else {
      throw JobExecutionErrorFactory.mpi(
        "results of one map are \(total) bytes; MPI_Allgatherv takes at most \(Int32.max) (split the work into smaller maps)"
      )
    }
    var displacements = [Int32](repeating: 0, count: size)
    for i in 1..<max(size, 1) { displacements[i] = displacements[i - 1] + Int32(counts[i - 1]) }
    let receiveCounts = counts.map { Int32($0) }
    var receive = [UInt8](repeating: 0, count: max(total, 1))
    try call("MPI_Allgatherv") {
      bytes.withUnsafeBytes { s in
        receive.withUnsafeMutableBytes { r in
          MPI_Allgatherv(
            s.baseAddress, Int32(bytes.count), cmpi_byte(), r.baseAddress, receiveCounts, displacements, cmpi_byte(),
            cmpi_comm_world())
        }
      }
    }
    return (Array(receive.prefix(total)), counts)
  }

  /// Rank 0's bytes on every rank.
  func broadcast(_ bytes: [UInt8]) throws -> [UInt8] {
    var count = Int64(bytes.count)
    try call("MPI_Bcast") { MPI_Bcast(&count, 1, cmpi_int64(), 0, cmpi_comm_world()) }
    guard count <= Int64(Int32.max), count >= 0 else {
      throw JobExecutionErrorFactory.mpi("broadcast of \(count) bytes exceeds MPI's \(Int32.max)")
    }
    var buffer = rank == 0 ? bytes : [UInt8](repeating: 0, count: Int(count))
    if buffer.isEmpty { return [] }
    try call("MPI_Bcast") {
      buffer.withUnsafeMutableBytes { MPI_Bcast($0.baseAddress, Int32(count), cmpi_byte(), 0, cmpi_comm_world()) }
    }
    return buffer
  }
}

/// Errors of the MPI layer, as the shared ``JobExecutionError``.
enum JobExecutionErrorFactory {
  static func mpi(_ message: String) -> Error { JobExecutionError(job: nil, message: "MPI: " + message) }
}

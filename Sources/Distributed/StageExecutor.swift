import AutoLoss
import Foundation

/// Chooses the executor of a command-line process.
public enum StageExecutor {
  /// ``MPIExecutor`` when an MPI launcher started this process (``MPIEnvironment/isLaunchedByMPI``),
  /// else `LocalExecutor(slots: workers)` without touching MPI, exactly as a plain run.
  ///
  /// On ranks other than 0 standard output goes to `/dev/null` (rank 0 prints the results). When a
  /// launcher is detected but MPI cannot start, it prints why and exits with status 1.
  public static func forThisProcess(workers: Int) -> any JobExecutor {
    guard MPIEnvironment.isLaunchedByMPI else { return LocalExecutor(slots: workers) }
    do {
      let executor = try MPIExecutor(slots: workers)
      if executor.rank > 0 { silenceStandardOutput() }
      return executor
    } catch {
      FileHandle.standardError.write(
        Data("error: started by an MPI launcher but MPI could not start: \(error)\n".utf8))
      exit(1)
    }
  }

  private static let silenced = SilenceOnce()
  private final class SilenceOnce: @unchecked Sendable {
    let lock = NSLock()
    var done = false
  }

  private static func silenceStandardOutput() {
    silenced.lock.withLock {
      guard !silenced.done else { return }
      silenced.done = true
      fflush(nil)
      let null = open("/dev/null", O_WRONLY)
      if null >= 0 {
        dup2(null, STDOUT_FILENO)
        close(null)
      }
    }
  }
}

import Foundation

/// CPU seconds used so far by the calling thread (wall time is meaningless on a shared machine;
/// every NMT run executes on one thread with OpenBLAS at 1 thread).
public func threadCPUSeconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

import AutoLoss
import XCTest

@testable import Distributed

final class MPIExecutorTests: XCTestCase {
  func testRoundRobinSplitCoversEveryJobOnce() {
    for size in 1...5 {
      for count in 0...11 {
        let all = (0..<size).flatMap { MPIExecutor.jobs(count: count, rank: $0, size: size) }
        XCTAssertEqual(all.sorted(), Array(0..<count), "size \(size), count \(count)")
      }
    }
    XCTAssertEqual(MPIExecutor.jobs(count: 7, rank: 1, size: 3), [1, 4])
    XCTAssertEqual(MPIExecutor.jobs(count: 2, rank: 3, size: 4), [])
  }

  func testRecordsSplitPerRankAndRejectTruncation() throws {
    var a: [UInt8] = []
    JobRecord.success([1, 2, 3]).write(to: &a)
    JobRecord.failure("boom").write(to: &a)
    var b: [UInt8] = []
    JobRecord.success([]).write(to: &b)
    let split = try JobRecord.split(a + b, counts: [a.count, b.count])
    XCTAssertEqual(split.map(\.count), [2, 1])
    guard case .failure(let message) = split[0][1] else { return XCTFail("expected the failure record") }
    XCTAssertEqual(message, "boom")
    XCTAssertThrowsError(try JobRecord.split(Array(a.dropLast()), counts: [a.count - 1]))
  }

  func testLauncherDetection() {
    XCTAssertFalse(MPIEnvironment.isLaunchedByMPI([:]))
    XCTAssertFalse(MPIEnvironment.isLaunchedByMPI(["SLURM_PROCID": "0", "PATH": "/bin"]))
    XCTAssertTrue(MPIEnvironment.isLaunchedByMPI(["OMPI_COMM_WORLD_SIZE": "3"]))
    XCTAssertTrue(MPIEnvironment.isLaunchedByMPI(["PMI_SIZE": "2"]))
    XCTAssertEqual(MPIEnvironment.launcherRank(["OMPI_COMM_WORLD_RANK": "2"]), 2)
    XCTAssertNil(MPIEnvironment.launcherRank([:]))
  }

  func testWithoutALauncherTheLocalExecutorRuns() throws {
    // The test process is not started by mpirun (the MPI runs are in scripts/mpi_test.sh).
    guard !MPIEnvironment.isLaunchedByMPI else { throw XCTSkip("running under an MPI launcher") }
    let executor = StageExecutor.forThisProcess(workers: 3)
    XCTAssertTrue(executor is LocalExecutor)
    XCTAssertEqual(executor.slots, 3)
    XCTAssertEqual(try executor.map(count: 5) { job, _ in job * job }, [0, 1, 4, 9, 16])
  }
}

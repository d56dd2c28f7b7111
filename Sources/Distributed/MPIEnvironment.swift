import Foundation

/// What the process environment says about an MPI launch.
public enum MPIEnvironment {
  /// Variables set by the launchers on every rank: Open MPI's `mpirun` (`OMPI_COMM_WORLD_SIZE`),
  /// PMIx launchers (`PMIX_RANK`), MPICH/Hydra and Slurm's `srun --mpi=pmi2` (`PMI_SIZE`).
  public static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"]

  /// Whether this process was started by an MPI launcher (`mpirun`, `srun`). Without one,
  /// `autoloss` runs in one process and never initializes MPI.
  public static var isLaunchedByMPI: Bool { isLaunchedByMPI(ProcessInfo.processInfo.environment) }

  /// Whether `environment` holds any of the ``launcherVariables``.
  public static func isLaunchedByMPI(_ environment: [String: String]) -> Bool {
    launcherVariables.contains { environment[$0] != nil }
  }

  /// The rank the launcher assigned, when it says (before MPI is initialized).
  public static func launcherRank(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
    for key in ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"] {
      if let value = environment[key], let rank = Int(value) { return rank }
    }
    return nil
  }
}

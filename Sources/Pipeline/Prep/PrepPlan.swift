import Foundation

extension DatasetPrep {
  /// One dataset preparation of `autoloss prep`: the dataset and its options.
  public struct Run: Sendable {
    public var dataset: String
    public var options: PrepOptions
  }

  /// The runs of `autoloss prep <dataset>`: that dataset alone, or for `all` every registry dataset
  /// whose raw data `make data` provides (``DatasetFiles/fetchable``; cifar10 needs `--from`), with
  /// classification at data seeds 1-4 (seed 1 for the experiments, 2-4 for the transfer table).
  public static func runs(_ dataset: String, options: PrepOptions) throws -> [Run] {
    guard dataset == "all" else { return [Run(dataset: dataset, options: options)] }
    if options.name != nil || options.from != nil {
      throw PipelineError("--name and --from apply to one dataset, not to 'all'")
    }
    return DatasetFiles.fetchable.flatMap { target -> [Run] in
      let seeds: [UInt64?] = target == "classification" ? [1, 2, 3, 4] : [options.seed]
      return seeds.map { seed in
        var o = options
        o.seed = seed
        return Run(dataset: target, options: o)
      }
    }
  }

  /// The file a run writes: `<dataDir>/<name>.h5` (`--skip-existing` keeps it when present).
  public static func outputPath(_ run: Run) -> String {
    let o = run.options
    let stem =
      o.name ?? (run.dataset == "classification" ? DatasetFiles.classificationName(seed: o.seed ?? 1) : run.dataset)
    return DatasetFiles.path(name: stem, dataDir: o.dataDir)
  }
}

import Datasets
import Engine
import Foundation
import Store

extension DatasetPrep {
  /// `regression`: the paper's generator (d = 16, w ~ U[-0.5, 0.5], u ~ U[-5, 5], noise sd 2),
  /// five partitions of 200. Layout: `/<split>/x` float32 [N,16], `/<split>/y` float32 [N]
  /// (split attribute `noise_floor_mse`: the MSE of the true w), `/true_w` float32 [16], root
  /// attribute `noise_std` (float64).
  ///
  /// `options.syntheticSource`: `official` reads the files of `scripts/data/official_synthetic.py`
  /// (the official code's numpy draws) from `<raw>/official-synthetic/`, `generated` draws with our
  /// own generator; nil picks `official` when those files exist. Root attribute `data_source`.
  static func prepareRegression(_ options: PrepOptions) throws -> PrepResult {
    let seed = options.seed ?? 1
    let name = options.name ?? "regression"
    try validateName(name)
    let root = officialRoot(options)
    // The official data has one seed; other seeds default to our generator.
    let source = try syntheticSource(
      options, available: SyntheticOfficial.hasRegression(root) && (seed == 1 || options.syntheticSource != nil),
      what: "regression")
    if source == "official" && seed != 1 {
      throw PipelineError("prep regression --source official: the official data has one seed (1), found --seed \(seed)")
    }
    let data =
      source == "official" ? try SyntheticOfficial.regression(root: root) : SyntheticRegression.generate(seed: seed)
    var config = PrepConfig()
    config.set("dataset", "regression")
    config.set("seed", seed)
    config.set("dimension", data.trueWeights.count)
    config.set("split_size", data.splits.controllerTrain.count)
    config.set("noise_std", Double(data.noiseStd))
    config.set("data_source", source)
    config.set(
      "generator",
      source == "official"
        ? "official AutoLoss dataio/gen_reg_data.py steps (numpy RandomState seed 1), read from \(root)"
        : "SyntheticRegression.generate (paper-spec section 2)")
    let splits = data.splits.all.map(\.split)
    var summary: [String] = []
    let artifact = try writeArtifact(
      name, provenance: provenance(name, config: config, seed: seed, inputs: [], options: options),
      options: options
    ) { root in
      try root.setAttribute("data_source", source)
      try root.setAttribute("noise_std", Double(data.noiseStd))
      try root.setAttribute("dimension", Int64(data.trueWeights.count))
      try root.write("true_w", data.trueWeights.data, shape: [data.trueWeights.count])
      for (splitName, split) in zip(DatasetFiles.syntheticSplits, splits) {
        let group = try root.createGroup(splitName)
        try group.write("x", split.inputs.data, shape: split.inputs.shape)
        try group.write("y", split.targets.data, shape: [split.count])
        let floor = Double(SyntheticRegression.mse(of: data.trueWeights, on: split))
        try group.setAttribute("noise_floor_mse", floor)
        try group.setAttribute("count", Int64(split.count))
        summary.append(
          "\(splitName): \(split.count) samples, noise-floor MSE \(String(format: "%.3f", floor))")
      }
    }
    summary.insert(
      "regression (\(source) data, seed \(seed)): x [N,\(data.trueWeights.count)] float32, y [N]", at: 0)
    return PrepResult(name: name, path: artifact.path, sha256: artifact.sha256, samplesPath: nil, summary: summary)
  }

  /// `classification`: scikit-learn's `make_classification` with the paper's settings (32
  /// features, 2 informative, 2 redundant, 2 clusters per class), partitions 200/1000/200/1000/
  /// 1000. Layout: `/<split>/x` float32 [N,32], `/<split>/labels` int32 [N]. Seed 1 writes
  /// `classification.h5`, other seeds `classification-seed<N>.h5` (the transfer datasets).
  static func prepareClassification(_ options: PrepOptions) throws -> PrepResult {
    let seed = options.seed ?? 1
    let name = options.name ?? DatasetFiles.classificationName(seed: seed)
    try validateName(name)
    let root = officialRoot(options)
    let source = try syntheticSource(
      options, available: SyntheticOfficial.hasClassification(root, seed: seed), what: "classification seed \(seed)")
    let data =
      source == "official"
      ? try SyntheticOfficial.classification(root: root, seed: seed)
      : try SyntheticClassification.paperSplits(seed: seed)
    var config = PrepConfig()
    config.set("dataset", "classification")
    config.set("seed", seed)
    config.set("data_source", source)
    config.set(
      "generator",
      source == "official"
        ? "official AutoLoss dataio/gen_cls_data.py steps (sklearn make_classification, np.random.seed(\(seed))), read from \(root)"
        : "SyntheticClassification.paperSplits (make_classification, paper-spec section 3)")
    config.set("features", 32)
    config.set("informative", 2)
    config.set("redundant", 2)
    config.set("clusters_per_class", 2)
    config.set("class_sep", 1.0)
    config.set("flip_y", 0.01)
    config.set("split_sizes", SyntheticClassification.paperSplitSizes.map(String.init))
    let splits = data.all.map(\.split)
    var summary: [String] = []
    let artifact = try writeArtifact(
      name, provenance: provenance(name, config: config, seed: seed, inputs: [], options: options),
      options: options
    ) { root in
      try root.setAttribute("data_source", source)
      try root.setAttribute("num_classes", Int64(2))
      for (splitName, split) in zip(DatasetFiles.syntheticSplits, splits) {
        let group = try root.createGroup(splitName)
        try group.write("x", split.features.data, shape: split.features.shape)
        try group.write("labels", split.labels.map { Int32($0) }, shape: [split.count])
        try group.setAttribute("count", Int64(split.count))
        let ones = split.labels.filter { $0 == 1 }.count
        summary.append("\(splitName): \(split.count) samples (class 0: \(split.count - ones), class 1: \(ones))")
      }
    }
    summary.insert("classification (\(source) data, seed \(seed)): x [N,32] float32, labels int32, 2 classes", at: 0)
    return PrepResult(name: name, path: artifact.path, sha256: artifact.sha256, samplesPath: nil, summary: summary)
  }

  /// The folder `scripts/data/official_synthetic.py` writes into.
  static func officialRoot(_ options: PrepOptions) -> String {
    (options.raw as NSString).appendingPathComponent(SyntheticOfficial.folder)
  }

  /// `official` or `generated`: the requested source, or `official` when its files are available.
  static func syntheticSource(_ options: PrepOptions, available: Bool, what: String) throws -> String {
    switch options.syntheticSource {
    case nil: return available ? "official" : "generated"
    case "generated": return "generated"
    case "official":
      guard available else {
        throw PipelineError(
          "\(officialRoot(options)): the official \(what) files are missing (expected the CSV files of "
            + "scripts/data/official_synthetic.py; run `make data`, or use --source generated)")
      }
      return "official"
    case let other?:
      throw PipelineError("--source: expected official or generated, found '\(other)'")
    }
  }
}

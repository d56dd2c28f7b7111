/// The paper's numbers (Xu et al., ICLR 2019, arXiv:1810.02442 v1), as collected in
/// docs/paper-spec.md, shown beside ours in every table and figure of the report.
public enum PaperNumbers {
  /// The noise floor the paper subtracts from every regression MSE.
  public static let regressionNoiseFloor = 3.94

  /// Table 1, regression: test MSE − 3.94 (10 trials), keyed by our method names.
  public static let table1Regression: [String: Double] = [
    "without L1": 0.790, "S1": 0.086, "S2": 0.096, "S3": 0.095, "DGS": 0.086, "AutoLoss": 0.070,
  ]
  /// Table 1, classification: test error (10 trials).
  public static let table1Classification: [String: Double] = [
    "without L1": 0.124, "S1": 0.091, "S2": 0.094, "S3": 0.094, "DGS": 0.093, "AutoLoss": 0.088,
  ]
  /// Table 2: classification transfer to 3 new datasets (W/O L1, DGS, AutoLoss).
  public static let table2: [(withoutL1: Double, dgs: Double, autoLoss: Double)] = [
    (0.1337, 0.1019, 0.1037), (0.1294, 0.1035, 0.1016), (0.1318, 0.1022, 0.0997),
  ]
  /// Table 3: regression MSE − 3.94 with one feature group dropped (our group names).
  public static let table3: [String: Double] = ["gradient": 0.086, "loss": 0.101, "validation": 0.085, "none": 0.070]
  /// The paper's name of each feature group.
  public static let featureGroupNames = [
    "gradient": "gradient magnitude", "loss": "loss values", "validation": "validation metrics",
    "none": "none (all features)",
  ]
  /// Figure 1 left: the joint objective's raw test MSE at λ (read from the plot); AutoLoss ≈ 4.02–4.03 flat.
  public static let figure1Regression: [(lambda: Double, joint: Double)] = [
    (0.05, 4.64), (0.1, 4.55), (0.2, 4.36), (0.4, 4.03), (0.8, 4.09), (1.6, 4.72),
  ]
  public static let figure1RegressionAutoLoss = 4.025
  /// Figure 1 right: the joint objective's test error at λ; AutoLoss ≈ .092–.098 flat.
  public static let figure1Classification: [(lambda: Double, joint: Double)] = [
    (0.002, 0.12), (0.006, 0.107), (0.01, 0.097), (0.02, 0.095), (0.034, 0.093), (0.06, 0.36), (0.1, 0.435),
    (0.2, 0.42),
  ]
  public static let figure1ClassificationAutoLoss = 0.095
  /// Figure 2 / §5.1.2: converged IS on MNIST (3 runs), D:G schedules as we name them.
  public static let ganConvergedIS: [String: Double] = [
    "1:1": 8.6307, "1:5": 9.0026, "1:7": 9.0232, "1:9": 9.0145, "AutoLoss": 9.0549,
  ]
  /// NIPS-draft numbers for schedules the arXiv table lacks.
  public static let ganConvergedISDraft: [String: Double] = ["1:3": 8.9353]
  /// Figure 4L: AutoLoss beats 1:1 on 16 of 20 sampled DCGAN architectures.
  public static let ganArchitectureWins = (wins: 16, total: 20)
  /// Figure 3L: final validation perplexity of NMT (De→En) per method.
  public static let nmtPerplexity: [(method: String, ppl: Double)] = [
    ("MT", 3.77), ("FixedRatio", 3.68), ("FineTuned MT", 3.64), ("AutoLoss", 3.54),
  ]
  /// The paper's real-MNIST IS with its MNIST classifier.
  public static let mnistRealIS = 9.5
}

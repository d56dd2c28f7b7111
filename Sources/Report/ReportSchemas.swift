import Foundation

/// The schema and stage names of the artifacts the report reads. They are the file-format contract
/// with the stages that write them (the report imports no stage); `PipelineTests` checks that each
/// equals the writing stage's own constant.
public enum ReportSchemas {
  public static let evaluation = "autoloss/evaluation"
  public static let baselineTuning = "autoloss/baseline-tuning"
  public static let controllerRun = "autoloss/controller-run"
  public static let experiment = "autoloss/experiment"
  public static let learnedAnalysis = "autoloss/learned-analysis"
  public static let knownAnswer = "autoloss/known-answer"
  /// The stage folder and artifact name of the known-answer suite.
  public static let knownAnswerStage = "known-answer"
  public static let knownAnswerName = "suite"
  public static let ganCalibration = "autoloss/gan-calibration"
  /// The stage folder of the GAN calibrations.
  public static let ganCalibrationStage = "gan-calibration"
}

/// The regularized tasks the report looks for, by their artifact names.
enum ReportTask: String, CaseIterable {
  case regression, classification
}

/// The part of a regularized experiment config (stored as JSON in the provenance) that the report
/// quotes; other keys are ignored.
struct StoredExperimentConfig: Decodable {
  struct Task: Decodable {
    var lambda: Float
    var maxSteps: Int
    var patienceChecks: Int
  }
  var task: Task
  var evaluationTrials: Int
  var equivalenceMargin: Float
  var thresholdGrid: [Float]
  var dgsLambdaLow: Float
  var dgsLambdaHigh: Float
  var dgsRuns: Int
  var ratioGrid: [Float]
  var sweepEpisodes: Int
  var sweepTrials: Int
}

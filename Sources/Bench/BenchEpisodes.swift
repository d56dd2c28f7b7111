import AutoLoss
import Datasets
import Engine
import Foundation
import Tasks

// Whole controller-training episodes of the regression and classification tasks as benchmark
// workloads: a fresh task model trained under a freshly initialized controller's policy until the
// task's stopping rule fires (the loop of `AutoLoss.runEpisode` with per-step recording), on the
// paper's synthetic data (controller-train and controller-validation partitions). Besides the time of
// one episode, each case reports where the time goes, in milliseconds per task step.

/// Accumulated wall time of the parts of profiled episodes.
final class EpisodeProfile: @unchecked Sendable {
  var steps = 0
  var episodes = 0
  var total = 0.0
  var reset = 0.0
  var features = 0.0
  var controller = 0.0
  var plainSteps = 0.0
  var plainStepCount = 0
  var validationSteps = 0.0
  var validationStepCount = 0
  var trace = 0.0

  /// Milliseconds per task step of each part. The validation runs inside the task step that
  /// completes a check; its share is the extra time of those steps over a plain step.
  func parts() -> [(String, Double)] {
    let n = Double(max(steps, 1))
    let plain = plainSteps / Double(max(plainStepCount, 1))
    let validation = max(validationSteps - plain * Double(validationStepCount), 0)
    let task = plainSteps + validationSteps - validation
    let other = total - reset - features - controller - task - validation - trace
    func ms(_ seconds: Double) -> Double { seconds * 1000 / n }
    return [
      ("per_step", ms(total)), ("task_step", ms(task)), ("validation", ms(validation + reset)),
      ("features", ms(features)), ("controller", ms(controller)), ("trace", ms(trace)), ("other", ms(other)),
      ("steps_per_episode_x1000", Double(steps) / Double(max(episodes, 1)) / 1000),
    ]
  }
}

extension BenchCatalog {
  /// One controller-training episode of the regression task (d = 16, 200 training and 200
  /// validation examples, validation every 10 steps, patience 100 checks, at most 20 000 steps).
  public static func regressionEpisode() -> BenchCase {
    episodeCase(name: "regression_episode", kind: .regression) {
      let data = SyntheticRegression.generate(seed: 1).splits
      return TaskData(
        train: SupervisedSplit(x: data.controllerTrain.inputs, y: data.controllerTrain.targets),
        validation: SupervisedSplit(x: data.controllerValid.inputs, y: data.controllerValid.targets), test: nil)
    }
  }

  /// One controller-training episode of the classification task (32 features, 200 training and
  /// 1000 validation examples, validation every 10 steps, patience 20 checks, at most 2000 steps).
  public static func classificationEpisode() -> BenchCase {
    episodeCase(name: "classification_episode", kind: .classification) {
      // The paper's generator parameters are fixed, so this cannot fail; a failure would be a
      // programming error (a silent substitute workload would make the timing meaningless).
      let data: FiveWaySplit<ClassificationSplit>
      do {
        data = try SyntheticClassification.paperSplits(seed: 1)
      } catch {
        preconditionFailure("the fixed paper classification splits failed: \(error)")
      }
      return TaskData(
        train: SupervisedSplit(x: data.controllerTrain.features, labels: data.controllerTrain.labels),
        validation: SupervisedSplit(x: data.controllerValid.features, labels: data.controllerValid.labels),
        test: nil)
    }
  }

  static func episodeCase(
    name: String, kind: RegularizedTaskKind, data: @escaping () -> TaskData
  ) -> BenchCase {
    let profile = EpisodeProfile()
    var bench = BenchCase(name: name, flops: 0) {
      let task = RegularizedTask(kind: kind, data: data())
      var rng = SeededRandom(seed: 7)
      let controller = Controller(featureCount: task.featureNames.count, actionCount: 2, rng: &rng)
      var seed: UInt64 = 100
      return {
        seed &+= 1
        profiledEpisode(task: task, controller: controller, seed: seed, profile: profile)
      }
    }
    bench.parts = { profile.parts() }
    return bench
  }

  /// `AutoLoss.runEpisode` with a ``PolicySchedule`` and per-step recording, timed part by part.
  static func profiledEpisode(task: RegularizedTask, controller: Controller, seed: UInt64, profile: EpisodeProfile) {
    func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }
    let start = now()
    task.reset(seed: seed)
    var rng = SeededRandom(seed: seed ^ 0x5EED_0F_A11)
    var trace = EpisodeTrace()
    var t = now()
    profile.reset += t - start
    while !task.isFinished {
      // runEpisode reads the features once for the trace and once inside the schedule's decision
      let recorded = task.features()
      let features = task.features()
      var t1 = now()
      profile.features += t1 - t
      let p = controller.probabilities(features)
      let a = rng.categorical(p)
      var t2 = now()
      profile.controller += t2 - t1
      task.step(a)
      t1 = now()
      if task.stepCount % task.config.validateEvery == 0 {
        profile.validationSteps += t1 - t2
        profile.validationStepCount += 1
      } else {
        profile.plainSteps += t1 - t2
        profile.plainStepCount += 1
      }
      trace.actions.append(Int32(a))
      trace.probabilities += p
      trace.features += recorded
      trace.losses += task.latestLosses
      let finite = task.latestLosses.allSatisfy(\.isFinite)
      t2 = now()
      profile.trace += t2 - t1
      t = t2
      if !finite { break }
    }
    trace.steps = task.stepCount
    trace.checks = task.checks
    profile.steps += task.stepCount
    profile.episodes += 1
    profile.total += now() - start
  }
}

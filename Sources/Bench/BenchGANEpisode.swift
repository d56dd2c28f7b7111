import AutoLoss
import Engine
import Foundation
import Pipeline
import Store
import Tasks

// One GAN controller-training episode at the quick profile's size as a benchmark workload, with
// where its time goes: the loop of the GAN controller stage's episode (`runCheckedEpisode` with a
// ``PolicySchedule`` and per-step recording, the final IS of the best generator) and the episode's
// artifact writes (its HDF5 group through `GANRunIO.write` and the PNG grid of every IS check).
// Timing only: the images are random and the scorer untrained, so the IS values mean nothing, but
// every piece of arithmetic has the size the quick profile runs.

/// Accumulated wall time of the parts of profiled GAN episodes.
final class GANEpisodeProfile: @unchecked Sendable {
  var steps = 0
  var episodes = 0
  var total = 0.0
  var reset = 0.0
  var features = 0.0
  var controller = 0.0
  /// Steps without an IS check: time and count, per action (0 = D, 1 = G).
  var plain = [0.0, 0.0]
  var plainCount = [0, 0]
  /// Steps that ran an IS check: time and count, per action.
  var checked = [0.0, 0.0]
  var checkedCount = [0, 0]
  var finalIS = 0.0
  var trace = 0.0
  var writes = 0.0

  /// Milliseconds per task step of each part. An IS check runs inside the step that completes it;
  /// its share is the extra time of those steps over a plain step of the same kind.
  func parts() -> [(String, Double)] {
    let n = Double(max(steps, 1))
    func ms(_ seconds: Double) -> Double { seconds * 1000 / n }
    var stepTime = [0.0, 0.0]
    var checks = 0.0
    for a in 0..<2 {
      let mean = plain[a] / Double(max(plainCount[a], 1))
      let extra = max(checked[a] - mean * Double(checkedCount[a]), 0)
      stepTime[a] = plain[a] + checked[a] - extra
      checks += extra
    }
    let other =
      total - reset - features - controller - stepTime[0] - stepTime[1] - checks - finalIS - trace - writes
    return [
      ("per_step", ms(total)), ("d_steps", ms(stepTime[0])), ("g_steps", ms(stepTime[1])),
      ("is_checks", ms(checks + finalIS)), ("controller", ms(controller + features)), ("writes", ms(writes)),
      ("other", ms(reset + trace + other)),
      ("d_step_ms", plain[0] * 1000 / Double(max(plainCount[0], 1))),
      ("g_step_ms", plain[1] * 1000 / Double(max(plainCount[1], 1))),
      ("steps_per_episode_x1000", Double(steps) / Double(max(episodes, 1)) / 1000),
    ]
  }
}

extension BenchCatalog {
  /// The GAN task settings of `configs/quick/gan.json` (MNIST DCGAN, base width 16, batch 64, IS
  /// every 250 steps on 500 samples in 1 split, final IS on 1000, a 36-sample grid per check), with
  /// at most `maxSteps` steps (the quick profile's cap is 800).
  static func quickGANTask(maxSteps: Int) -> (DCGANConfig, GANTaskConfig) {
    var model = DCGANConfig.mnist
    model.baseWidth = 16
    var task = GANTaskConfig()
    task.batchSize = 64
    task.checkEvery = 250
    task.isSamples = 500
    task.isSplits = 1
    task.finalISSamples = 1000
    task.finalISSplits = 1
    task.patienceChecks = 6
    task.maxSteps = maxSteps
    task.gridSamples = 36
    return (model, task)
  }

  /// One GAN controller-training episode at the quick size, scaled to 500 of the quick profile's
  /// 800 steps (2 IS checks, as at step 250 and 500 of a quick run, and the final IS), under a
  /// fresh controller; random images and an untrained scorer (the time does not depend on them).
  public static func ganEpisode(maxSteps: Int = 500) -> BenchCase {
    let profile = GANEpisodeProfile()
    var bench = BenchCase(name: "gan_episode", flops: 0) {
      var rng = SeededRandom(seed: 8)
      let (model, config) = quickGANTask(maxSteps: maxSteps)
      let count = 2000
      let pixels = (0..<(count * 28 * 28)).map { _ in UInt8(rng.int(below: 256)) }
      // The sizes are fixed and consistent, so this cannot fail; a failure is a programming error.
      let images: ImageSet
      do {
        images = try ImageSet(pixels: pixels, labels: [], channels: 1, height: 28, width: 28)
      } catch {
        preconditionFailure("the benchmark's random image set failed: \(error)")
      }
      let task = GANTask(
        model: model, config: config, data: images, scorer: ScorerCNN(rng: &rng), realInceptionScore: 9)
      let controller = Controller(featureCount: task.featureNames.count, actionCount: 2, rng: &rng)
      let folder = NSTemporaryDirectory() + "autoloss-bench-gan-\(ProcessInfo.processInfo.processIdentifier)"
      var seed: UInt64 = 200
      return {
        seed &+= 1
        profiledGANEpisode(task: task, controller: controller, seed: seed, folder: folder, profile: profile)
      }
    }
    bench.parts = { profile.parts() }
    return bench
  }

  /// The GAN controller stage's episode (`runCheckedEpisode` with a ``PolicySchedule``, recorded
  /// steps, collapse after 200 equal actions, the final IS) and its artifact writes, part by part.
  static func profiledGANEpisode(
    task: GANTask, controller: Controller, seed: UInt64, folder: String, profile: GANEpisodeProfile
  ) {
    func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }
    let start = now()
    task.reset(seed: seed)
    var rng = SeededRandom(seed: seed ^ 0x5EED_0F_A11)
    var trace = EpisodeTrace()
    var t = now()
    profile.reset += t - start
    var runLength = 0
    var last = -1
    while !task.isFinished {
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
      if task.stepCount % task.config.checkEvery == 0 {
        profile.checked[a] += t1 - t2
        profile.checkedCount[a] += 1
      } else {
        profile.plain[a] += t1 - t2
        profile.plainCount[a] += 1
      }
      trace.actions.append(Int32(a))
      trace.probabilities += p
      trace.features += recorded
      trace.losses += task.latestLosses
      runLength = a == last ? runLength + 1 : 1
      last = a
      let stop = !task.latestLosses.allSatisfy(\.isFinite) || runLength > 200
      t2 = now()
      profile.trace += t2 - t1
      t = t2
      if stop { break }
    }
    trace.steps = task.stepCount
    trace.checks = task.checks
    trace.bestValidationError = task.bestValidationError
    let finalIS = task.finalInceptionScore()
    trace.testError = 1 / max(finalIS, 1e-6)
    let t3 = now()
    profile.finalIS += t3 - t
    var samples: [Float] = []
    for s in task.checkSamples { samples += s.data }
    let run = GANRunResult(
      method: "AutoLoss (training)", seed: seed, trace: trace, finalIS: finalIS, bestISEMA: 0, samples: samples,
      seconds: t3 - start)
    // A failed write only loses the timing of the writes; the benchmark goes on (and says so).
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      let file = try HDF5File.create(folder + "/episodes.h5")
      let group = try file.root.createGroup("0001")
      try GANRunIO.write(run, to: group, model: task.model, gridSamples: task.config.gridSamples)
      try file.closeChecked()
      try GANRunIO.writeGrids(
        run, folder: folder + "/grids", stem: "ep0001", model: task.model, gridSamples: task.config.gridSamples,
        lastOnly: false)
    } catch {
      FileHandle.standardError.write(Data("gan_episode: the artifact writes failed: \(error)\n".utf8))
    }
    let end = now()
    profile.writes += end - t3
    profile.steps += task.stepCount
    profile.episodes += 1
    profile.total += end - start
    try? FileManager.default.removeItem(atPath: folder)
  }
}

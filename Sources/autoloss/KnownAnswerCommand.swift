import ArgumentParser

/// `autoloss known-answer`: the trainers on the known-answer tasks (a check of the machinery;
/// `run check --task known-answer`).
struct KnownAnswerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "known-answer",
    abstract: "Check that the controller trainers learn the known-answer tasks (seconds).",
    discussion: """
      Trains a controller with REINFORCE and with the antithetic trainer on a state-dependent task (the right
      action follows a visible signal) and on a ratio-only task (the best policy is P(action 1) = p*), and checks
      >= 90 % correct choices with a margin over the best constant ratio above 3 SE, and |ratio - p*| <= 0.05.
      Writes artifacts/known-answer/suite/vNNNN.h5. It has no config file (--profile and --set do not apply).
      """)

  @Option(help: "Seed of the controller trainers.")
  var seed: UInt64 = 11

  @Option(help: "Held-out episodes on which each trained controller is measured (>= 2).")
  var evaluationEpisodes = 30

  @OptionGroup var options: StageOptions

  func run() throws {
    try options.run(
      task: "known-answer", stage: "check",
      ["seed": String(seed), "evaluation-episodes": String(evaluationEpisodes)])
  }
}

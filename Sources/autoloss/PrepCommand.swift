import ArgumentParser
import Datasets
import Foundation
import Pipeline

/// `autoloss prep <dataset>`: raw files (or a seed) to `data/<name>.h5` plus a sample grid.
struct PrepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "prep",
    abstract: "Prepare a dataset: raw files (or a seed) -> data/<name>.h5 (+ a PNG grid of samples).",
    discussion: """
      Datasets: regression, classification (--seed N writes classification-seed<N>.h5 for N != 1),
      mnist, fashion-mnist, cifar10 (--from the official cifar-10-binary.tar.gz or its
      cifar-10-batches-bin folder), nmt-tr-en, nmt-de-en, all (every registry dataset whose raw
      data is present), and text (user corpora: --name, --source-text, --target-text,
      --aux-conllu). Image sets hold out the last 5000 training images as validation. Writes are
      atomic: bad input leaves no file under the final name.
      """)

  @Argument(help: "regression | classification | mnist | fashion-mnist | cifar10 | nmt-tr-en | nmt-de-en | text | all")
  var dataset: String

  @Option(help: "Folder receiving <name>.h5.") var dataDir = "data"
  @Option(help: "Folder of raw downloads (default <data-dir>/raw).") var rawDir: String?
  @Option(help: "Seed of generators and shuffles (default 1).") var seed: UInt64?
  @Option(
    help:
      "regression/classification: official (the official code's numpy/sklearn draws, data/raw/official-synthetic) or generated (our generators); default official when present."
  )
  var source: String?
  @Option(
    help:
      "Raw input overriding the default location (cifar10: tarball or folder; mnist: IDX folder; nmt-*: lohelp folder)."
  )
  var from: String?
  @Option(help: "Output name (data/<name>.h5); required for text.") var name: String?
  @Flag(help: "Keep an existing output file instead of replacing it.") var skipExisting = false
  @Option(help: "Image sets: training images held out (the last ones) as validation.") var validationCount = 5000

  @Option(help: "Text: source sentences, one per line.") var sourceText: String?
  @Option(help: "Text: target sentences, one per line (same line count).") var targetText: String?
  @Option(help: "Text: auxiliary tagging task [TASK[:upos|deprel]=]FILE.conllu (repeatable).")
  var auxConllu: [String] = []
  @Option(help: "Text: minimum word tokens per side.") var minLength = 3
  @Option(help: "Text: maximum word tokens per side.") var maxLength = 50
  @Option(help: "Text: BPE merges for the source side.") var sourceMerges = 8000
  @Option(help: "Text: BPE merges for the target side.") var targetMerges = 8000
  @Flag(help: "Text: lowercase before tokenizing.") var lowercase = false
  @Option(help: "Text: digits keep | zero | strip.") var digits = "zero"

  func run() throws {
    var options = PrepOptions()
    options.dataDir = dataDir
    options.rawDir = rawDir
    options.seed = seed
    options.syntheticSource = source
    options.from = from
    options.name = name
    options.validationCount = validationCount
    options.sourceText = sourceText
    options.targetText = targetText
    options.auxCoNLLU = auxConllu
    options.text.minLength = minLength
    options.text.maxLength = maxLength
    options.text.sourceMerges = sourceMerges
    options.text.targetMerges = targetMerges
    options.text.lowercase = lowercase
    guard let policy = DigitPolicy(rawValue: digits) else {
      throw ValidationError("--digits must be keep, zero or strip, found '\(digits)'")
    }
    options.text.digits = policy
    options.toolVersion = AutolossCommand.configuration.version
    options.gitCommit = DatasetFiles.currentGitCommit()

    let runs: [DatasetPrep.Run]
    do {
      runs = try DatasetPrep.runs(dataset, options: options)
    } catch {
      throw ValidationError("\(error)")
    }
    for run in runs { try prepOne(run) }
  }

  func prepOne(_ run: DatasetPrep.Run) throws {
    let target = run.dataset
    if skipExisting {
      let path = DatasetPrep.outputPath(run)
      if FileManager.default.fileExists(atPath: path) {
        print("\(target): \(path) exists; skipping (--skip-existing)")
        return
      }
    }
    let start = Date()
    let result: PrepResult
    do {
      result = try DatasetPrep.prepare(target, options: run.options)
    } catch {
      FileHandle.standardError.write(Data("autoloss prep \(target): error: \(error)\n".utf8))
      throw ExitCode.failure
    }
    let seconds = Date().timeIntervalSince(start)
    print(
      "\(target): wrote \(result.path) in \(String(format: "%.1f", seconds)) s (sha256 \(result.sha256.prefix(16))…)")
    if let png = result.samplesPath { print("  samples: \(png)") }
    for line in result.summary { print("  \(line)") }
  }
}

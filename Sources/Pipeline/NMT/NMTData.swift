import Engine
import Foundation
import Store
import Tasks

/// Reads a prepared NMT dataset (`autoloss prep nmt-tr-en`, schema `autoloss/dataset` v1):
/// `/vocab/source`, `/vocab/<name>` strings; per task `/<task>/<split>/{source,target}_{ids,offsets}`
/// (int32 ids, int64 offsets `[n+1]`) and the task attribute `target_vocab` (`/vocab/target` for MT).
public enum NMTDataFile {
  /// The task groups of the file, MT first.
  public static func taskNames(path: String) throws -> [String] {
    let file = try DatasetFiles.open(path)
    defer { file.close() }
    let root = file.root
    var names: [String] = []
    if root.hasAttribute("tasks") {
      names = try root.attributeString("tasks").split(separator: ",").map(String.init)
    } else {
      names = try root.list().filter { root.isGroup($0) && !["vocab", "bpe"].contains($0) }
    }
    guard names.contains("mt") else {
      throw PipelineError("\(path): expected a task group 'mt', found \(names.joined(separator: ", "))")
    }
    return ["mt"] + names.filter { $0 != "mt" }.sorted()
  }

  /// Loads the tasks `tasks` (MT first) as an ``NMTCorpus``, applying the config's length filter,
  /// training caps, slice and vocabulary caps.
  public static func load(path: String, tasks requested: [String], config: NMTExperimentConfig) throws -> NMTCorpus {
    let tasks = requested.isEmpty ? try taskNames(path: path) : requested
    guard tasks.first == "mt" else {
      throw PipelineError("config tasks \(tasks): expected 'mt' first (the main task)")
    }
    let file = try DatasetFiles.open(path)
    defer { file.close() }
    let root = file.root
    func strings(_ name: String) throws -> [String] {
      guard root.contains(name) else { throw PipelineError("\(path): expected dataset \(name), found none") }
      return try root.readStrings(name)
    }
    let sourceVocab = try strings("vocab/source")
    var rng = SeededRandom(seed: config.seed ^ 0xDA7A)
    var list: [NMTTaskData] = []
    for name in tasks {
      guard root.contains(name), root.isGroup(name) else {
        throw PipelineError("\(path): expected task group /\(name), found none")
      }
      let group = try root.group(name)
      var vocabPath = name == "mt" ? "/vocab/target" : "/vocab/\(name)"
      if group.hasAttribute("target_vocab") { vocabPath = try group.attributeString("target_vocab") }
      let targetVocab = try strings(String(vocabPath.drop { $0 == "/" }))
      var splits: [SequencePairs] = []
      for split in DatasetFiles.splits {
        let g = try group.group(split)
        func sequences(_ prefix: String) throws -> SequenceList {
          let ids = try g.read("\(prefix)_ids", as: Int32.self).values
          let offsets = try g.read("\(prefix)_offsets", as: Int64.self).values.map(Int.init)
          guard offsets.first == 0, offsets.last == ids.count,
            zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 })
          else {
            throw PipelineError(
              "\(path): /\(name)/\(split)/\(prefix)_offsets: expected non-decreasing offsets from 0 to \(ids.count), found \(offsets.prefix(3))…\(offsets.last ?? -1)"
            )
          }
          return SequenceList(ids: ids, offsets: offsets)
        }
        var pairs = SequencePairs(source: try sequences("source"), target: try sequences("target"))
        guard pairs.source.ids.allSatisfy({ $0 >= 0 && Int($0) < sourceVocab.count }),
          pairs.target.ids.allSatisfy({ $0 >= 0 && Int($0) < targetVocab.count })
        else {
          throw PipelineError(
            "\(path): /\(name)/\(split): expected ids inside the vocabularies (\(sourceVocab.count)/\(targetVocab.count))"
          )
        }
        if config.maxLength > 0 { pairs = pairs.filtered(maxLength: config.maxLength) }
        // Drop empty sources (nothing to attend to).
        pairs = pairs.subset((0..<pairs.count).filter { pairs.source.length($0) > 0 })
        splits.append(pairs)
      }
      if config.evaluationSplitLimit > 0 {
        splits[1] = splits[1].prefix(config.evaluationSplitLimit)
        splits[2] = splits[2].prefix(config.evaluationSplitLimit)
      }
      var train = splits[0]
      let order = rng.permutation(train.count)
      var chosen = order
      if name == "mt" && config.sliceCount > 1 {
        let k = config.sliceCount
        guard config.slice >= 0 && config.slice < k else {
          throw PipelineError("config: slice \(config.slice) outside 0..<\(k)")
        }
        let size = order.count / k
        chosen = Array(order[(config.slice * size)..<((config.slice + 1) * size)])
      }
      let trainCap = name == "mt" ? config.mtTrainLimit : config.auxTrainLimit
      if trainCap > 0 { chosen = Array(chosen.prefix(trainCap)) }
      train = train.subset(chosen)
      var data = NMTTaskData(
        name: name, train: train, validation: splits[1], test: splits[2], targetVocabularySize: targetVocab.count,
        targetVocabulary: targetVocab)
      let targetCap = name == "mt" ? config.targetVocabularyCap : 0
      if targetCap > 0, targetCap < targetVocab.count {
        let cap = targetCap
        data.targetVocabularySize = cap
        for s in [\NMTTaskData.train, \.validation, \.test] {
          data[keyPath: s].target = data[keyPath: s].target.capped(vocabularySize: cap)
        }
      }
      if config.sourceVocabularyCap > 0, config.sourceVocabularyCap < sourceVocab.count {
        let cap = config.sourceVocabularyCap
        for s in [\NMTTaskData.train, \.validation, \.test] {
          data[keyPath: s].source = data[keyPath: s].source.capped(vocabularySize: cap)
        }
      }
      guard data.train.count > 0, data.validation.count > 0, data.test.count > 0 else {
        throw PipelineError(
          "\(path): task \(name): expected non-empty splits after filtering, found train \(data.train.count), validation \(data.validation.count), test \(data.test.count)"
        )
      }
      list.append(data)
    }
    let sourceSize =
      config.sourceVocabularyCap > 0 ? min(sourceVocab.count, config.sourceVocabularyCap) : sourceVocab.count
    return NMTCorpus(sourceVocabularySize: sourceSize, tasks: list)
  }

  /// Label provenance of each task (root/task attributes written by prep): `gold` for treebank
  /// labels, `silver` for tagger output, `reference` for MT.
  /// A task group without a `files` attribute (written before prep recorded it) says "unknown";
  /// a file or attribute that is present but unreadable is an error.
  public static func labelKinds(path: String, tasks: [String]) throws -> [String] {
    let file = try DatasetFiles.open(path)
    defer { file.close() }
    return try tasks.map { name in
      if name == "mt" { return "reference translation" }
      guard file.root.isGroup(name) else { return "unknown (no /\(name) group in \(path))" }
      let g = try file.root.group(name)
      guard g.hasAttribute("files") else { return "unknown (no files attribute on /\(name))" }
      let files = try g.attributeString("files")
      let column = g.hasAttribute("label_column") ? try g.attributeString("label_column") : "? (no label_column)"
      let kind = files.lowercased().contains("silver") ? "silver (tagger output)" : "gold (treebank annotation)"
      return "\(kind), \(column) from \(files.replacingOccurrences(of: "\n", with: ", "))"
    }
  }
}

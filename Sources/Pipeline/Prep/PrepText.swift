import Datasets
import Engine
import Foundation
import Store

/// Sentences of one task split as BPE pieces: `sources[i]` pairs with `targets[i]` (target words
/// for MT, one label per source piece for tagging).
struct PieceSplit {
  var sources: [[String]] = []
  var targets: [[String]] = []
}

/// One task ready to encode: its splits (train, validation, test) and which vocabularies it uses.
struct TextTask {
  var name: String
  var splits: [PieceSplit]
  var targetVocabulary: String
  var attributes: [(String, String)]
}

extension DatasetPrep {
  /// `nmt-tr-en` / `nmt-de-en`: paragraphs of the LibreOffice help aligned by (page, id), source
  /// tr or de, target en-us. nmt-tr-en adds Turkish POS (UPOS) and dependency-relation (DEPREL)
  /// tagging from `raw/treebank-tr/{web,wiki}.conllu` unless `--aux-conllu` replaces them;
  /// nmt-de-en is MT only unless `--aux-conllu` is given.
  static func prepareLibreOffice(_ dataset: String, _ options: PrepOptions) throws -> PrepResult {
    let sourceLanguage = dataset == "nmt-tr-en" ? "tr" : "de"
    let root = options.from ?? options.rawPath("lohelp")
    let sourceTree = (root as NSString).appendingPathComponent(sourceLanguage)
    let targetTree = (root as NSString).appendingPathComponent("en-us")
    for tree in [sourceTree, targetTree] {
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: tree, isDirectory: &isDir), isDir.boolValue else {
        throw PrepError(
          "\(tree): folder not found (expected a LibreOffice help language tree; run `make data` or pass --from)")
      }
    }
    var aux = try AuxTaskSpec.parse(options.auxCoNLLU)
    if dataset == "nmt-tr-en" && options.auxCoNLLU.isEmpty {
      let files = ["web.conllu", "wiki.conllu"].map { options.rawPath("treebank-tr", $0) }
      aux = [
        AuxTaskSpec(task: "pos", column: .upos, files: files, vocabulary: "pos"),
        AuxTaskSpec(task: "dep", column: .deprel, files: files, vocabulary: "deprel"),
      ]
    }
    let corpus = try LibreOfficeHelp.align(sourceTree: sourceTree, targetTree: targetTree)
    guard corpus.count > 0 else {
      throw PrepError("\(sourceTree): no paragraphs aligned with \(targetTree) (expected html pages with shared ids)")
    }
    let inputs = [try PrepInputs.tree(sourceTree, suffix: ".html"), try PrepInputs.tree(targetTree, suffix: ".html")]
    return try prepareText(
      name: options.name ?? dataset, dataset: dataset, corpus: corpus,
      corpusSource: "LibreOffice help \(sourceTree) <-> \(targetTree), paragraphs paired by (page, id)",
      languages: (sourceLanguage, "en"), aux: aux, inputs: inputs, options: options)
  }

  /// A user corpus: `--source-text`, `--target-text` (line-aligned) and optional `--aux-conllu`,
  /// written as `data/<--name>.h5` in the same layout as nmt-*.
  static func prepareUserText(_ options: PrepOptions) throws -> PrepResult {
    guard let name = options.name else {
      throw PrepError("user text data needs --name (the output is data/<name>.h5)")
    }
    guard let source = options.sourceText, let target = options.targetText else {
      throw PrepError("user text data needs both --source-text FILE and --target-text FILE")
    }
    let corpus = try ParallelCorpus.read(source: source, target: target)
    guard corpus.count > 0 else { throw PrepError.unexpected(source, expected: "sentences", found: "an empty file") }
    let aux = try AuxTaskSpec.parse(options.auxCoNLLU)
    return try prepareText(
      name: name, dataset: "text", corpus: corpus, corpusSource: "\(source) <-> \(target), line-aligned",
      languages: ("source", "target"), aux: aux,
      inputs: [try PrepInputs.file(source), try PrepInputs.file(target)], options: options)
  }

  /// The shared text pipeline: dedupe, tokenize, length filter, seeded split, BPE per side,
  /// auxiliary tagging tasks through the source BPE, vocabularies, and the flat id layout.
  static func prepareText(
    name: String, dataset: String, corpus: ParallelCorpus, corpusSource: String,
    languages: (source: String, target: String), aux: [AuxTaskSpec], inputs: [ResolvedArtifact],
    options: PrepOptions
  ) throws -> PrepResult {
    try validateName(name)
    let settings = options.text
    try settings.validate()
    let seed = options.seed ?? 1
    var rng = SeededRandom(seed: seed)
    let tokenizer = settings.tokenizer
    var summary: [String] = []

    // Read the auxiliary files first, so a malformed one fails before any expensive step.
    var tagged: [(spec: AuxTaskSpec, sentences: [CoNLLUSentence])] = []
    var auxInputs: [ResolvedArtifact] = []
    for spec in aux {
      var sentences: [CoNLLUSentence] = []
      for file in spec.files {
        sentences += try CoNLLU.read(file)
        if !auxInputs.contains(where: { $0.path == file }) { auxInputs.append(try PrepInputs.file(file)) }
      }
      guard !sentences.isEmpty else {
        throw PrepError.unexpected(spec.files.joined(separator: ", "), expected: "CoNLL-U sentences", found: "none")
      }
      tagged.append((spec, sentences))
    }

    // Unique pairs, tokenized and length-filtered.
    var seen = Set<String>()
    var pairs: [(source: [String], target: [String])] = []
    var unique = 0
    for i in 0..<corpus.count {
      let s = corpus.source[i].trimmingCharacters(in: .whitespaces)
      let t = corpus.target[i].trimmingCharacters(in: .whitespaces)
      guard !s.isEmpty, !t.isEmpty, seen.insert(s + "\u{1}" + t).inserted else { continue }
      unique += 1
      let a = tokenizer.tokenize(s)
      let b = tokenizer.tokenize(t)
      let range = settings.minLength...settings.maxLength
      if range.contains(a.count) && range.contains(b.count) { pairs.append((a, b)) }
    }
    guard pairs.count >= 3 else {
      throw PrepError(
        "\(corpusSource): expected at least 3 sentence pairs of \(settings.minLength)...\(settings.maxLength) tokens, found \(pairs.count)"
      )
    }
    let mtOrder = splitOrder(
      pairs.count, validation: settings.mtValidationFraction, test: settings.mtTestFraction, rng: &rng)
    summary.append(
      "\(languages.source)-\(languages.target): \(corpus.count) pairs read, \(unique) unique, \(pairs.count) kept "
        + "(\(settings.minLength)...\(settings.maxLength) tokens per side)")

    // BPE learned on the training split, per side.
    let trainPairs = mtOrder[0].map { pairs[$0] }
    let sourceBPE = BPE.learn(sentences: trainPairs.map(\.source), merges: settings.sourceMerges)
    let targetBPE = BPE.learn(sentences: trainPairs.map(\.target), merges: settings.targetMerges)
    var sourceCache: [String: [String]] = [:]
    var targetCache: [String: [String]] = [:]
    func pieces(_ bpe: BPE, _ words: [String], _ cache: inout [String: [String]]) -> [String] {
      var out: [String] = []
      for word in words {
        if let hit = cache[word] {
          out += hit
        } else {
          let p = bpe.segment(word)
          cache[word] = p
          out += p
        }
      }
      return out
    }
    var mtSplits: [PieceSplit] = []
    for indices in mtOrder {
      var split = PieceSplit()
      for i in indices {
        split.sources.append(pieces(sourceBPE, pairs[i].source, &sourceCache))
        split.targets.append(pieces(targetBPE, pairs[i].target, &targetCache))
      }
      mtSplits.append(split)
    }
    var tasks = [
      TextTask(
        name: "mt", splits: mtSplits, targetVocabulary: "target",
        attributes: [
          ("kind", "translation"), ("source_language", languages.source), ("target_language", languages.target),
        ])
    ]

    // Auxiliary tagging: each word through the tokenizer and the source BPE, its label copied.
    for (spec, sentences) in tagged {
      var items: [(pieces: [String], labels: [String])] = []
      for sentence in sentences {
        var ps: [String] = []
        var ls: [String] = []
        var words = 0
        for token in sentence.tokens {
          let label = spec.column == .upos ? token.upos : token.deprel
          let toks = tokenizer.tokenize(token.form)
          words += toks.count
          let p = pieces(sourceBPE, toks, &sourceCache)
          ps += p
          ls += Array(repeating: label, count: p.count)
        }
        if (settings.minLength...settings.maxLength).contains(words) { items.append((ps, ls)) }
      }
      guard items.count >= 3 else {
        throw PrepError.unexpected(
          spec.files.joined(separator: ", "),
          expected: "at least 3 sentences of \(settings.minLength)...\(settings.maxLength) tokens",
          found: "\(items.count)")
      }
      // The same stream for every task, so tasks read from the same files (pos and dep of one
      // treebank) get the same sentence split.
      var taskRng = SeededRandom(seed: seed &+ 0x9E37_79B9_7F4A_7C15)
      let order = splitOrder(
        items.count, validation: settings.auxValidationFraction, test: settings.auxTestFraction, rng: &taskRng)
      let splits = order.map { indices in
        PieceSplit(sources: indices.map { items[$0].pieces }, targets: indices.map { items[$0].labels })
      }
      tasks.append(
        TextTask(
          name: spec.task, splits: splits, targetVocabulary: spec.vocabulary,
          attributes: [
            ("kind", "tagging"), ("label_column", spec.column.rawValue),
            ("files", spec.files.joined(separator: "\n")), ("sentences_read", String(sentences.count)),
          ]))
    }

    // Vocabularies: source from every task's training sources (shared encoder), target from MT
    // training targets, labels from all splits of the tasks using them.
    let sourceVocab = Vocabulary(
      sentences: tasks.flatMap { $0.splits[0].sources }, maxSize: settings.maxSourceVocabulary)
    let targetVocab = Vocabulary(sentences: mtSplits[0].targets, maxSize: settings.maxTargetVocabulary)
    var vocabularies: [(String, Vocabulary)] = [("source", sourceVocab), ("target", targetVocab)]
    for task in tasks.dropFirst() where !vocabularies.contains(where: { $0.0 == task.targetVocabulary }) {
      let labels = tasks.filter { $0.targetVocabulary == task.targetVocabulary }.flatMap {
        $0.splits.flatMap(\.targets)
      }
      vocabularies.append((task.targetVocabulary, Vocabulary(sentences: labels)))
    }
    let vocabByName = Dictionary(uniqueKeysWithValues: vocabularies)

    var config = PrepConfig()
    config.set("dataset", dataset)
    config.set("corpus", corpusSource)
    config.set("seed", seed)
    settings.record(into: &config)
    config.set("tasks", tasks.map(\.name))
    for spec in aux {
      config.set("aux_\(spec.task)", "\(spec.column.rawValue) from \(spec.files.joined(separator: ", "))")
    }
    config.set("ids", "BPE pieces only; no START/END added (0 UNK, 1 START, 2 END, 3 PAD reserved in every vocabulary)")

    let artifact = try writeArtifact(
      name, provenance: provenance(name, config: config, seed: seed, inputs: inputs + auxInputs, options: options),
      options: options
    ) { root in
      try root.setAttribute("source_language", languages.source)
      try root.setAttribute("target_language", languages.target)
      try root.setAttribute("tasks", tasks.map(\.name).joined(separator: ","))
      try root.setAttribute("pairs_read", Int64(corpus.count))
      try root.setAttribute("pairs_unique", Int64(unique))
      try root.setAttribute("pairs_kept", Int64(pairs.count))
      try root.setAttribute("min_length", Int64(settings.minLength))
      try root.setAttribute("max_length", Int64(settings.maxLength))
      try root.setAttribute("lowercase", Int64(settings.lowercase ? 1 : 0))
      try root.setAttribute("digits", settings.digits.rawValue)
      try root.setAttribute("bpe_merges_source_requested", Int64(settings.sourceMerges))
      try root.setAttribute("bpe_merges_target_requested", Int64(settings.targetMerges))
      try root.setAttribute("bpe_merges_source", Int64(sourceBPE.merges.count))
      try root.setAttribute("bpe_merges_target", Int64(targetBPE.merges.count))
      try root.setAttribute("reserved_ids", "0 <unk>, 1 <s>, 2 </s>, 3 <pad>")
      try root.writeStrings("bpe/source", sourceBPE.merges.map { "\($0.left) \($0.right)" })
      try root.writeStrings("bpe/target", targetBPE.merges.map { "\($0.left) \($0.right)" })
      for (vocabName, vocab) in vocabularies { try root.writeStrings("vocab/\(vocabName)", vocab.tokens) }
      for task in tasks {
        let group = try root.createGroup(task.name)
        for (key, value) in task.attributes { try group.setAttribute(key, value) }
        try group.setAttribute("source_vocab", "/vocab/source")
        try group.setAttribute("target_vocab", "/vocab/\(task.targetVocabulary)")
        let targetVocab = vocabByName[task.targetVocabulary] ?? targetVocab
        var counts: [String] = []
        for (splitName, split) in zip(DatasetFiles.splits, task.splits) {
          let sg = try group.createGroup(splitName)
          let (sourceTokens, sourceUnk) = try writeSequences(sg, "source", split.sources.map { sourceVocab.encode($0) })
          let (targetTokens, targetUnk) = try writeSequences(sg, "target", split.targets.map { targetVocab.encode($0) })
          try sg.setAttribute("count", Int64(split.sources.count))
          try sg.setAttribute("source_tokens", Int64(sourceTokens))
          try sg.setAttribute("target_tokens", Int64(targetTokens))
          try sg.setAttribute("source_unk", Int64(sourceUnk))
          try sg.setAttribute("target_unk", Int64(targetUnk))
          counts.append("\(splitName) \(split.sources.count) (\(sourceTokens)/\(targetTokens) tokens)")
        }
        summary.append("\(task.name): " + counts.joined(separator: ", "))
      }
    }
    summary.append(
      "BPE merges learned: source \(sourceBPE.merges.count), target \(targetBPE.merges.count) "
        + "(requested \(settings.sourceMerges)/\(settings.targetMerges))")
    summary.append(
      "vocabularies (4 reserved ids included): "
        + vocabularies.map { "\($0.0) \($0.1.count)" }.joined(separator: ", "))
    return PrepResult(name: name, path: artifact.path, sha256: artifact.sha256, samplesPath: nil, summary: summary)
  }

  /// A seeded shuffle of `0..<count` cut into train, validation and test (each non-empty when
  /// `count >= 3` and the fraction is positive).
  static func splitOrder(_ count: Int, validation: Double, test: Double, rng: inout SeededRandom) -> [[Int]] {
    let order = rng.permutation(count)
    func size(_ fraction: Double) -> Int {
      fraction <= 0 ? 0 : max(1, Int((Double(count) * fraction).rounded()))
    }
    let nTest = min(size(test), max(0, count - 2))
    let nValidation = min(size(validation), max(0, count - nTest - 1))
    let train = Array(order[(nTest + nValidation)...])
    return [train, Array(order[nTest..<(nTest + nValidation)]), Array(order[0..<nTest])]
  }

  /// Writes `<prefix>_ids` int32 (flat) and `<prefix>_offsets` int64 [n+1]; returns the number of
  /// ids and of UNK ids.
  static func writeSequences(_ group: HDF5Group, _ prefix: String, _ sequences: [[Int32]]) throws -> (Int, Int) {
    var offsets: [Int64] = [0]
    offsets.reserveCapacity(sequences.count + 1)
    var ids: [Int32] = []
    ids.reserveCapacity(sequences.reduce(0) { $0 + $1.count })
    for s in sequences {
      ids += s
      offsets.append(Int64(ids.count))
    }
    try group.writeCompact("\(prefix)_ids", ids, shape: [ids.count])
    try group.writeCompact("\(prefix)_offsets", offsets, shape: [offsets.count])
    return (ids.count, ids.reduce(0) { $0 + ($1 == Vocabulary.unk ? 1 : 0) })
  }
}

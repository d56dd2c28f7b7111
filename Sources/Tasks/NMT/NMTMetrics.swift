import Datasets
import Foundation

/// Perplexity exp(NLL / tokens) from a summed negative log-likelihood (natural log).
public func perplexity(nll: Double, tokens: Int) -> Float {
  tokens > 0 ? Float(Foundation.exp(nll / Double(tokens))) : .nan
}

/// The parts of a corpus BLEU score, for reports and tests.
public struct BLEUScore: Sendable, Equatable {
  /// BLEU in [0, 1] (multiply by 100 for the usual scale).
  public var score: Double
  /// Modified n-gram precisions p1 … p4.
  public var precisions: [Double]
  /// The brevity penalty.
  public var brevityPenalty: Double
  /// Total hypothesis length c and reference length r.
  public var hypothesisLength: Int
  public var referenceLength: Int
}

/// Corpus BLEU (Papineni et al. 2002) with one reference per sentence, uniform weights over
/// n = 1 … `maxOrder`, no smoothing: clipped n-gram matches and n-gram counts are summed over the
/// corpus, BLEU = BP · exp(mean_n log p_n), BP = 1 if c > r else exp(1 − r / c). Any p_n = 0
/// gives 0. Tokens are compared as given (word ids or strings).
public func corpusBLEU<T: Hashable>(hypotheses: [[T]], references: [[T]], maxOrder: Int = 4) -> BLEUScore {
  precondition(
    hypotheses.count == references.count, "\(hypotheses.count) hypotheses for \(references.count) references")
  var matches = [Int](repeating: 0, count: maxOrder)
  var totals = [Int](repeating: 0, count: maxOrder)
  var c = 0
  var r = 0
  for (hyp, ref) in zip(hypotheses, references) {
    c += hyp.count
    r += ref.count
    for n in 1...maxOrder {
      guard hyp.count >= n else { continue }
      var refCounts: [ArraySlice<T>: Int] = [:]
      if ref.count >= n { for i in 0...(ref.count - n) { refCounts[ref[i..<(i + n)], default: 0] += 1 } }
      var hypCounts: [ArraySlice<T>: Int] = [:]
      for i in 0...(hyp.count - n) { hypCounts[hyp[i..<(i + n)], default: 0] += 1 }
      for (gram, count) in hypCounts { matches[n - 1] += min(count, refCounts[gram] ?? 0) }
      totals[n - 1] += hyp.count - n + 1
    }
  }
  let precisions = (0..<maxOrder).map { totals[$0] > 0 ? Double(matches[$0]) / Double(totals[$0]) : 0 }
  let bp = c == 0 ? 0 : (c > r ? 1 : Foundation.exp(1 - Double(r) / Double(c)))
  let score =
    precisions.contains(0)
    ? 0 : bp * Foundation.exp(precisions.map { Foundation.log($0) }.reduce(0, +) / Double(maxOrder))
  return BLEUScore(score: score, precisions: precisions, brevityPenalty: bp, hypothesisLength: c, referenceLength: r)
}

/// Turns BPE token ids into words: looks up `vocabulary` and joins `@@` continuation pieces
/// (ids outside the vocabulary become `<unk>`). With an empty vocabulary the ids are returned as
/// strings unchanged.
public func detokenize(_ ids: [Int32], vocabulary: [String]) -> [String] {
  guard !vocabulary.isEmpty else { return ids.map { String($0) } }
  let pieces = ids.map { Int($0) < vocabulary.count ? vocabulary[Int($0)] : "<unk>" }
  return BPE.join(pieces)
}

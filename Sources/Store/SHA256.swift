import Foundation

/// SHA-256 (FIPS 180-4), incremental. Used to fingerprint artifacts in provenance records.
///
/// ```swift
/// SHA256.hex(of: Array("abc".utf8))  // "ba7816bf..."
/// try SHA256.hex(ofFile: "artifacts/prep/mnist/v0001.h5")
/// ```
public struct SHA256: Sendable {
  private static let k: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
  ]

  private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
    0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
  )
  private var buffer: [UInt8] = []
  private var length: UInt64 = 0

  public init() { buffer.reserveCapacity(64) }

  /// Feeds more bytes.
  public mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    length &+= UInt64(bytes.count)
    var offset = 0
    if !buffer.isEmpty {
      let take = min(64 - buffer.count, bytes.count)
      buffer.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
      offset = take
      if buffer.count == 64 {
        buffer.withUnsafeBytes { SHA256.compress(&state, $0.baseAddress!, blocks: 1) }
        buffer.removeAll(keepingCapacity: true)
      }
    }
    let blocks = (bytes.count - offset) / 64
    if blocks > 0 {
      SHA256.compress(&state, base + offset, blocks: blocks)
      offset += blocks * 64
    }
    if offset < bytes.count {
      buffer.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: bytes.count - offset))
    }
  }

  /// Feeds more bytes.
  public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
    let array = Array(bytes)
    array.withUnsafeBytes { update($0) }
  }

  /// The 32-byte digest of everything fed so far.
  public func finalize() -> [UInt8] {
    var copy = self
    let bitLength = length &* 8
    var tail: [UInt8] = [0x80]
    let used = (buffer.count + 1) % 64
    tail += [UInt8](repeating: 0, count: (56 - used + 64) % 64)
    for shift in stride(from: 56, through: 0, by: -8) {
      tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
    }
    copy.length = 0
    tail.withUnsafeBytes { copy.update($0) }
    var digest: [UInt8] = []
    digest.reserveCapacity(32)
    let s = copy.state
    for word in [s.0, s.1, s.2, s.3, s.4, s.5, s.6, s.7] {
      for shift in stride(from: 24, through: 0, by: -8) {
        digest.append(UInt8(truncatingIfNeeded: word >> UInt32(shift)))
      }
    }
    return digest
  }

  /// The digest as 64 lowercase hex characters.
  public func hexDigest() -> String { SHA256.hexString(finalize()) }

  /// The hex SHA-256 of `bytes`.
  public static func hex<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
    var hasher = SHA256()
    hasher.update(bytes)
    return hasher.hexDigest()
  }

  /// The hex SHA-256 of a file's contents, read in 1 MiB blocks.
  public static func hex(ofFile path: String) throws -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw StoreError(.fileNotFound, path: path, "cannot open file for hashing")
    }
    // Closing a handle that was only read cannot lose data; a failure to close is not an error here.
    defer { handle.closeFile() }
    var hasher = SHA256()
    while true {
      let chunk: Data?
      do {
        chunk = try handle.read(upToCount: 1 << 20)
      } catch {
        throw StoreError(.io, path: path, "cannot read file for hashing: \(error.localizedDescription)")
      }
      guard let chunk, !chunk.isEmpty else { break }
      chunk.withUnsafeBytes { hasher.update($0) }
    }
    return hasher.hexDigest()
  }

  static func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for byte in bytes {
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Processes `blocks` 64-byte blocks starting at `data`. Written with raw pointers and plain
  /// locals so that it stays reasonably fast in unoptimized (debug) builds too.
  private static func compress(
    _ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
    _ data: UnsafeRawPointer, blocks: Int
  ) {
    k.withUnsafeBufferPointer { kBuffer in
      let k = kBuffer.baseAddress!
      withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { wBuffer in
        let w = wBuffer.baseAddress!
        var (h0, h1, h2, h3, h4, h5, h6, h7) = state
        for block in 0..<blocks {
          let p = data + block * 64
          for t in 0..<16 { w[t] = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self)) }
          for t in 16..<64 {
            let x = w[t - 15]
            let y = w[t - 2]
            let s0 = (x >> 7 | x << 25) ^ (x >> 18 | x << 14) ^ (x >> 3)
            let s1 = (y >> 17 | y << 15) ^ (y >> 19 | y << 13) ^ (y >> 10)
            w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
          }
          var a = h0
          var b = h1
          var c = h2
          var d = h3
          var e = h4
          var f = h5
          var g = h6
          var h = h7
          for t in 0..<64 {
            let s1 = (e >> 6 | e << 26) ^ (e >> 11 | e << 21) ^ (e >> 25 | e << 7)
            let ch = (e & f) ^ (~e & g)
            let t1 = h &+ s1 &+ ch &+ k[t] &+ w[t]
            let s0 = (a >> 2 | a << 30) ^ (a >> 13 | a << 19) ^ (a >> 22 | a << 10)
            let maj = (a & b) ^ (a & c) ^ (b & c)
            h = g
            g = f
            f = e
            e = d &+ t1
            d = c
            c = b
            b = a
            a = t1 &+ s0 &+ maj
          }
          h0 &+= a
          h1 &+= b
          h2 &+= c
          h3 &+= d
          h4 &+= e
          h5 &+= f
          h6 &+= g
          h7 &+= h
        }
        state = (h0, h1, h2, h3, h4, h5, h6, h7)
      }
    }
  }
}

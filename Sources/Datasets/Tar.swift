import Foundation

/// A regular file in a tar archive.
public struct TarEntry: Sendable, Equatable {
  /// The path inside the archive (ustar prefix joined, GNU long names resolved).
  public var name: String
  /// The file's bytes.
  public var data: [UInt8]

  public init(name: String, data: [UInt8]) {
    self.name = name
    self.data = data
  }
}

/// A minimal tar reader: 512-byte ustar/GNU headers, regular files only (directories, links and
/// pax headers are skipped).
public enum Tar {
  /// The regular files in `bytes` (an uncompressed tar), in archive order.
  public static func entries(_ bytes: [UInt8], path: String = "<memory>") throws -> [TarEntry] {
    var out: [TarEntry] = []
    var offset = 0
    var longName: String?
    while offset + 512 <= bytes.count {
      let header = bytes[offset..<(offset + 512)]
      if header.allSatisfy({ $0 == 0 }) { return out }  // end-of-archive marker
      let stored = try octal(header, 148, 8, path: path, offset: offset, field: "checksum")
      var sum = 0
      for (i, b) in header.enumerated() { sum += (148..<156).contains(i) ? 32 : Int(b) }
      guard sum == stored else {
        throw DatasetError.unexpected(
          path, expected: "tar header checksum \(stored) at byte \(offset)", found: "\(sum)")
      }
      let size = try octal(header, 124, 12, path: path, offset: offset, field: "size")
      let type = header[header.startIndex + 156]
      var name = string(header, 0, 100)
      if string(header, 257, 6).hasPrefix("ustar") {
        let prefix = string(header, 345, 155)
        if !prefix.isEmpty { name = prefix + "/" + name }
      }
      let start = offset + 512
      guard start + size <= bytes.count else {
        throw DatasetError.unexpected(
          path, expected: "\(size) bytes of '\(name)' after byte \(start)",
          found: "only \(bytes.count - start) (truncated archive)")
      }
      let data = Array(bytes[start..<(start + size)])
      switch type {
      case UInt8(ascii: "L"):  // GNU long name for the next entry
        longName = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
      case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
        out.append(TarEntry(name: longName ?? name, data: data))
        longName = nil
      default:
        longName = nil
      }
      offset = start + (size + 511) / 512 * 512
    }
    if offset != bytes.count && !bytes[offset...].allSatisfy({ $0 == 0 }) {
      throw DatasetError.unexpected(
        path, expected: "a 512-byte tar header at byte \(offset)",
        found: "\(bytes.count - offset) bytes (truncated archive)")
    }
    return out
  }

  /// The bytes of an uncompressed ustar archive holding `entries` (for tests and fixtures).
  public static func archive(_ entries: [TarEntry]) -> [UInt8] {
    var out: [UInt8] = []
    for entry in entries {
      var header = [UInt8](repeating: 0, count: 512)
      func put(_ s: String, _ at: Int, _ width: Int) {
        for (i, b) in s.utf8.prefix(width).enumerated() { header[at + i] = b }
      }
      func putOctal(_ v: Int, _ at: Int, _ width: Int) {
        let digits = String(v, radix: 8)
        put(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, at, width - 1)
      }
      put(entry.name, 0, 100)
      putOctal(0o644, 100, 8)
      putOctal(0, 108, 8)
      putOctal(0, 116, 8)
      putOctal(entry.data.count, 124, 12)
      putOctal(0, 136, 12)
      header[156] = UInt8(ascii: "0")
      put("ustar", 257, 6)
      put("00", 263, 2)
      for i in 148..<156 { header[i] = 32 }
      let sum = header.reduce(0) { $0 + Int($1) }
      putOctal(sum, 148, 7)
      header[155] = 32
      out += header
      out += entry.data
      out += [UInt8](repeating: 0, count: (512 - entry.data.count % 512) % 512)
    }
    out += [UInt8](repeating: 0, count: 1024)
    return out
  }

  static func string(_ h: ArraySlice<UInt8>, _ at: Int, _ width: Int) -> String {
    let field = h[(h.startIndex + at)..<(h.startIndex + at + width)]
    return String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
  }

  static func octal(
    _ h: ArraySlice<UInt8>, _ at: Int, _ width: Int, path: String, offset: Int, field: String
  ) throws -> Int {
    let text = string(h, at, width).trimmingCharacters(in: .whitespaces)
    if text.isEmpty { return 0 }
    guard let v = Int(text, radix: 8) else {
      throw DatasetError.unexpected(
        path, expected: "an octal \(field) in the tar header at byte \(offset)", found: "'\(text)'")
    }
    return v
  }
}

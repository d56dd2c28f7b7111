import CZlib

/// Gzip (RFC 1952) compression and decompression through the system zlib.
public enum Gzip {
  /// Whether `bytes` start with the gzip magic number 1f 8b.
  public static func isGzip(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
  }

  /// Inflates a gzip stream (one or more concatenated members). Throws a `DatasetError` naming
  /// `path` when the input is not gzip, is corrupt, or is truncated before a member's trailer.
  public static func decompress(_ bytes: [UInt8], path: String = "<memory>") throws -> [UInt8] {
    guard isGzip(bytes) else {
      let head = bytes.prefix(2).map { String($0, radix: 16) }.joined(separator: " ")
      throw DatasetError.unexpected(path, expected: "gzip magic 1f 8b", found: "'\(head)'")
    }
    var input = bytes
    var output: [UInt8] = []
    if bytes.count >= 4 {  // ISIZE trailer: the uncompressed size mod 2^32 of the last member
      let n = bytes.count
      let isize = Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
      output.reserveCapacity(min(isize, 1 << 31))
    }
    let chunk = 1 << 18
    var buffer = [UInt8](repeating: 0, count: chunk)
    var stream = z_stream()
    let windowBits = 16 + MAX_WBITS  // gzip wrapper only
    guard inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      throw DatasetError(path: path, message: "zlib inflateInit2 failed")
    }
    defer { inflateEnd(&stream) }

    try input.withUnsafeMutableBufferPointer { inBuf in
      stream.next_in = inBuf.baseAddress
      stream.avail_in = UInt32(inBuf.count)
      var membersDone = 0
      while true {
        let status: Int32 = buffer.withUnsafeMutableBufferPointer { outBuf in
          stream.next_out = outBuf.baseAddress
          stream.avail_out = UInt32(chunk)
          return inflate(&stream, Z_NO_FLUSH)
        }
        let produced = chunk - Int(stream.avail_out)
        output.append(contentsOf: buffer[0..<produced])
        switch status {
        case Z_STREAM_END:
          membersDone += 1
          let rest = Int(stream.avail_in)
          if rest == 0 { return }
          let offset = inBuf.count - rest
          if rest >= 2 && inBuf[offset] == 0x1f && inBuf[offset + 1] == 0x8b {
            inflateReset(&stream)  // another gzip member follows
            continue
          }
          if inBuf[offset...].allSatisfy({ $0 == 0 }) { return }  // zero padding
          throw DatasetError.unexpected(
            path, expected: "end of file after gzip member \(membersDone)",
            found: "\(rest) trailing bytes")
        case Z_OK:
          continue
        case Z_BUF_ERROR:
          if stream.avail_in == 0 {
            throw DatasetError(
              path: path,
              message: "truncated gzip stream: input ended after \(inBuf.count) bytes "
                + "(\(output.count) bytes inflated) without the end-of-stream trailer")
          }
          continue
        default:
          let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
          throw DatasetError(
            path: path,
            message: "corrupt gzip data (\(reason)) after \(output.count) inflated bytes")
        }
      }
    }
    return output
  }

  /// Deflates `bytes` into a single gzip member (no file name, mtime 0).
  public static func compress(_ bytes: [UInt8], level: Int32 = 6) throws -> [UInt8] {
    var stream = z_stream()
    guard
      deflateInit2_(
        &stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
        Int32(MemoryLayout<z_stream>.size)) == Z_OK
    else { throw DatasetError(path: "<memory>", message: "zlib deflateInit2 failed") }
    defer { deflateEnd(&stream) }
    var input = bytes
    let bound = Int(deflateBound(&stream, UInt(bytes.count))) + 64
    var output = [UInt8](repeating: 0, count: bound)
    let status: Int32 = input.withUnsafeMutableBufferPointer { inBuf in
      output.withUnsafeMutableBufferPointer { outBuf in
        stream.next_in = inBuf.baseAddress
        stream.avail_in = UInt32(inBuf.count)
        stream.next_out = outBuf.baseAddress
        stream.avail_out = UInt32(outBuf.count)
        return deflate(&stream, Z_FINISH)
      }
    }
    guard status == Z_STREAM_END else {
      throw DatasetError(path: "<memory>", message: "zlib deflate failed with status \(status)")
    }
    output.removeLast(Int(stream.avail_out))
    return output
  }
}
